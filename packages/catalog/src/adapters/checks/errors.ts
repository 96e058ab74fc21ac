/**
 * Errors of the health-check runners. Only CheckRunner.add throws them (for a spec it cannot
 * run); a failing probe is never an error, it is a critical result.
 */

import { CatalogError } from '../../errors.js';

/** A check spec the runner cannot run; the message names the field. */
export class CheckError extends CatalogError {
  declare readonly code: 'BERTH_CATALOG_CHECK';
  readonly checkId: string;

  constructor(checkId: string, message: string) {
    super('BERTH_CATALOG_CHECK', `check ${JSON.stringify(checkId)}: ${message}`);
    this.checkId = checkId;
  }
}
