// Every type, field, argument and enum value of the printed contract (schema.graphql, what client
// developers and their tools read) has a description.
import { readFileSync } from 'node:fs';
import { buildSchema, isEnumType, isInputObjectType, isInterfaceType, isObjectType, isSpecifiedScalarType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { staleDescriptions } from '../../src/schema/index.js';

const printed = buildSchema(readFileSync(new URL('../../schema.graphql', import.meta.url), 'utf8'));

function undescribed() {
  const missing: string[] = [];
  let total = 0;
  const check = (coordinate: string, description: string | null | undefined) => {
    total++;
    if (!description?.trim()) missing.push(coordinate);
  };
  for (const type of Object.values(printed.getTypeMap())) {
    if (type.name.startsWith('__') || isSpecifiedScalarType(type)) continue;
    check(type.name, type.description);
    if (isObjectType(type) || isInterfaceType(type) || isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) {
        check(`${type.name}.${field.name}`, field.description);
        if ('args' in field) for (const arg of field.args) check(`${type.name}.${field.name}(${arg.name})`, arg.description);
      }
    }
    if (isEnumType(type)) for (const value of type.getValues()) check(`${type.name}.${value.name}`, value.description);
  }
  return { missing, total };
}

describe('schema descriptions', () => {
  it('cover every type, field, argument and enum value of schema.graphql', () => {
    const { missing, total } = undescribed();
    expect(total).toBeGreaterThan(400);
    expect(missing).toEqual([]);
  });

  it('name only coordinates that exist', () => {
    expect(staleDescriptions).toEqual([]);
  });
});
