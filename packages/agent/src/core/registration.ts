/**
 * The RegisterContainerInstance request of this host: CPU units (1024 per core), memory in MiB
 * minus the reserved, reserved ports, and the attributes placement reads. Pure: the caller
 * passes the machine's facts. It must never advertise more than the host has.
 */

import {
  ATTRIBUTE_ADVERTISE_IP,
  ATTRIBUTE_AVAILABILITY_ZONE,
  ATTRIBUTE_CPU_ARCHITECTURE,
  ATTRIBUTE_OS_TYPE,
  type Attribute,
  RESOURCE_CPU,
  RESOURCE_MEMORY,
  RESOURCE_PORTS,
  RESOURCE_PORTS_UDP,
  type Registration,
} from '@berth/protocol';

/** The facts and settings a registration is built from. */
export interface RegistrationInput {
  readonly cpus: number;
  readonly totalMemoryBytes: number;
  readonly reservedMemoryMiB: number;
  readonly reservedPorts: readonly number[];
  readonly reservedUdpPorts?: readonly number[];
  /** Node's `os.arch()`. */
  readonly arch: string;
  readonly availabilityZone?: string;
  readonly advertiseIp: string;
  readonly instanceId: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly agentVersion: string;
  readonly dockerVersion: string;
  readonly containerInstanceArn?: string;
}

const ARCH: Readonly<Record<string, string>> = { x64: 'x86_64', arm64: 'arm64', ia32: 'i386' };

/** Parses `k=v` (the `--attribute` flag); throws naming the bad text. */
export function parseAttribute(text: string): [string, string] {
  const eq = text.indexOf('=');
  const name = (eq < 0 ? text : text.slice(0, eq)).trim();
  if (!name || !/^[a-zA-Z0-9_.\-/:@]+$/.test(name) || name.length > 128) {
    throw new Error(
      `${JSON.stringify(text)} is not name=value (name: letters, digits, _ . - / : @)`,
    );
  }
  return [name, eq < 0 ? '' : text.slice(eq + 1).trim()];
}

/** Builds the registration. */
export function buildRegistration(input: RegistrationInput): Registration {
  const memoryMiB = Math.max(
    0,
    Math.floor(input.totalMemoryBytes / (1024 * 1024)) - input.reservedMemoryMiB,
  );
  const ports = [...new Set(input.reservedPorts)].sort((a, b) => a - b).map(String);
  const udp = [...new Set(input.reservedUdpPorts ?? [])].sort((a, b) => a - b).map(String);
  const attributes: Attribute[] = [
    { name: ATTRIBUTE_OS_TYPE, value: 'linux' },
    { name: ATTRIBUTE_CPU_ARCHITECTURE, value: ARCH[input.arch] ?? input.arch },
    ...(input.availabilityZone
      ? [{ name: ATTRIBUTE_AVAILABILITY_ZONE, value: input.availabilityZone }]
      : []),
    { name: ATTRIBUTE_ADVERTISE_IP, value: input.advertiseIp },
    ...Object.entries(input.attributes)
      .filter(([k]) => !k.startsWith('ecs.') && k !== ATTRIBUTE_ADVERTISE_IP)
      .map(([name, value]) => ({ name, value })),
  ];
  return {
    ...(input.containerInstanceArn ? { containerInstanceArn: input.containerInstanceArn } : {}),
    totalResources: [
      { name: RESOURCE_CPU, type: 'INTEGER', integerValue: Math.max(1, input.cpus) * 1024 },
      { name: RESOURCE_MEMORY, type: 'INTEGER', integerValue: memoryMiB },
      { name: RESOURCE_PORTS, type: 'STRINGSET', stringSetValue: ports },
      { name: RESOURCE_PORTS_UDP, type: 'STRINGSET', stringSetValue: udp },
    ],
    versionInfo: {
      agentVersion: input.agentVersion,
      agentHash: 'berth',
      dockerVersion: `DockerVersion: ${input.dockerVersion}`,
    },
    attributes,
    instanceIdentityDocument: JSON.stringify({ instanceId: input.instanceId }),
  };
}
