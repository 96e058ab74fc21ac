/**
 * SSM's error answers (`{"__type": "ParameterNotFound", "message": ...}`), as EcsError so the
 * one HTTP listener sends them. Messages follow AWS's wording where it is known and must never
 * contain a parameter's value.
 */
import { EcsError } from '../errors.js';

export const ssmError = (type: string, message = ''): EcsError => new EcsError(type, message);

export const validation = (message: string): EcsError => ssmError('ValidationException', message);

export const parameterNotFound = (): EcsError => ssmError('ParameterNotFound', '');

export const versionNotFound = (name: string, selector: string): EcsError =>
  ssmError(
    'ParameterVersionNotFound',
    `Systems Manager could not find version ${selector} of ${name}. Verify the version and try again.`,
  );

export const invalidNextToken = (): EcsError =>
  ssmError('InvalidNextToken', 'The specified token is not valid.');
