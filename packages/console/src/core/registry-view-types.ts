/**
 * The registry page's view model types (shared by the server and the page). Types only.
 */

/** One tag as `berth registry`'s `GET /v1/repositories` lists it. */
export interface RegistryTagInfo {
  readonly tag: string;
  readonly digest?: string | undefined;
  readonly size?: number | undefined;
}

/** One repository as `GET /v1/repositories` lists it. */
export interface RegistryRepositoryInfo {
  readonly name: string;
  readonly tags: readonly RegistryTagInfo[];
}

/** A task that runs a tag. */
export interface RegistryTaskRef {
  readonly cluster: string;
  readonly id: string;
  readonly status: string;
  readonly container: string;
}

export interface RegistryTagRow extends RegistryTagInfo {
  readonly image: string;
  readonly tasks: readonly RegistryTaskRef[];
}

export interface RegistryRepositoryRow {
  readonly name: string;
  readonly tags: readonly RegistryTagRow[];
}

/** The page. */
export interface RegistryView {
  /** `host:port` images are pushed to; undefined when the console knows no registry. */
  readonly registry: string | undefined;
  readonly repositories: readonly RegistryRepositoryRow[];
  /** Why the repositories could not be listed. */
  readonly error?: string | undefined;
}
