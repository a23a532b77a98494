import { ValidateIf } from 'class-validator';

/**
 * Like `@IsOptional()`, but only a missing field is skipped: `null` is a value and must pass
 * the field's checks. `@IsOptional()` lets null through, while the service reads "given" as
 * `!== undefined`, so `"dependsOn": null` reached it and answered 500.
 */
export function IfPresent(): PropertyDecorator {
  return ValidateIf((_object: object, value: unknown) => value !== undefined);
}
