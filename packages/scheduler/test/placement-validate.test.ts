import t from 'tap';
import { PlacementError, validatePlacement } from '../src/core/placement/index.js';

t.test('accepts what ECS accepts', async (t) => {
  const cases: {
    name: string;
    input: { placementStrategy?: unknown; placementConstraints?: unknown };
  }[] = [
    { name: 'nothing', input: {} },
    { name: 'nulls', input: { placementStrategy: null, placementConstraints: null } },
    {
      name: 'every strategy field',
      input: {
        placementStrategy: [
          { type: 'spread', field: 'attribute:ecs.availability-zone' },
          { type: 'spread', field: 'instanceId' },
          { type: 'spread', field: 'host' },
          { type: 'binpack', field: 'memory' },
          { type: 'binpack', field: 'cpu' },
        ],
      },
    },
    { name: 'random', input: { placementStrategy: [{ type: 'random' }] } },
    {
      name: 'ten constraints',
      input: {
        placementConstraints: [
          { type: 'distinctInstance' },
          ...Array.from({ length: 9 }, (_, i) => ({
            type: 'memberOf',
            expression: `attribute:n${i} exists`,
          })),
        ],
      },
    },
  ];
  for (const c of cases) {
    t.doesNotThrow(
      () => validatePlacement(c.input.placementStrategy, c.input.placementConstraints),
      c.name,
    );
  }
});

t.test('refuses what ECS refuses, with InvalidParameterException naming the field', async (t) => {
  const cases: {
    name: string;
    input: { placementStrategy?: unknown; placementConstraints?: unknown };
    want: { field: string; message: RegExp };
  }[] = [
    {
      name: 'six strategies',
      input: { placementStrategy: Array.from({ length: 6 }, () => ({ type: 'random' })) },
      want: {
        field: 'placementStrategy',
        message: /Too many placement strategies were provided: 6. The maximum is 5./,
      },
    },
    {
      name: 'eleven constraints',
      input: {
        placementConstraints: Array.from({ length: 11 }, () => ({ type: 'distinctInstance' })),
      },
      want: { field: 'placementConstraints', message: /The maximum is 10./ },
    },
    {
      name: 'strategy list that is not a list',
      input: { placementStrategy: { type: 'random' } },
      want: { field: 'placementStrategy', message: /must be a list/ },
    },
    {
      name: 'unknown strategy type',
      input: { placementStrategy: [{ type: 'pack' }] },
      want: {
        field: 'placementStrategy[0].type',
        message:
          /Invalid placement strategy type 'pack'. Valid types are random, spread and binpack./,
      },
    },
    {
      name: 'binpack on an attribute',
      input: {
        placementStrategy: [
          { type: 'spread', field: 'host' },
          { type: 'binpack', field: 'attribute:x' },
        ],
      },
      want: {
        field: 'placementStrategy[1].field',
        message:
          /Invalid placement strategy field 'attribute:x' for type binpack. Valid fields are cpu and memory./,
      },
    },
    {
      name: 'binpack without a field',
      input: { placementStrategy: [{ type: 'binpack' }] },
      want: { field: 'placementStrategy[0].field', message: /field is required for type binpack/ },
    },
    {
      name: 'spread on cpu',
      input: { placementStrategy: [{ type: 'spread', field: 'cpu' }] },
      want: {
        field: 'placementStrategy[0].field',
        message:
          /Invalid placement strategy field 'cpu' for type spread. Valid fields are instanceId, host and attribute:<name>./,
      },
    },
    {
      name: 'spread without a field',
      input: { placementStrategy: [{ type: 'spread' }] },
      want: { field: 'placementStrategy[0].field', message: /field is required for type spread/ },
    },
    {
      name: 'random with a field',
      input: { placementStrategy: [{ type: 'random', field: 'cpu' }] },
      want: { field: 'placementStrategy[0].field', message: /random does not take a field/ },
    },
    {
      name: 'unknown constraint type',
      input: { placementConstraints: [{ type: 'sameInstance' }] },
      want: {
        field: 'placementConstraints[0].type',
        message: /Valid types are distinctInstance and memberOf/,
      },
    },
    {
      name: 'memberOf without expression',
      input: { placementConstraints: [{ type: 'memberOf' }] },
      want: {
        field: 'placementConstraints[0].expression',
        message: /expression is required for type memberOf/,
      },
    },
    {
      name: 'distinctInstance with expression',
      input: {
        placementConstraints: [{ type: 'distinctInstance', expression: 'attribute:a exists' }],
      },
      want: {
        field: 'placementConstraints[0].expression',
        message: /distinctInstance does not take an expression/,
      },
    },
    {
      name: 'memberOf with a bad expression',
      input: {
        placementConstraints: [
          { type: 'distinctInstance' },
          { type: 'memberOf', expression: 'attribute:a = 1' },
        ],
      },
      want: {
        field: 'placementConstraints[1].expression',
        message:
          /Invalid placement constraint expression 'attribute:a = 1': position 12: expected an operator/,
      },
    },
  ];
  for (const c of cases) {
    let err: unknown;
    try {
      validatePlacement(c.input.placementStrategy, c.input.placementConstraints);
    } catch (e) {
      err = e;
    }
    t.ok(err instanceof PlacementError, `${c.name}: PlacementError`);
    if (!(err instanceof PlacementError)) continue;
    t.equal(err.code, 'BERTH_SCHEDULER_PLACEMENT', `${c.name}: code`);
    t.equal(err.ecsType, 'InvalidParameterException', `${c.name}: type`);
    t.equal(err.field, c.want.field, `${c.name}: field`);
    t.match(err.message, c.want.message, `${c.name}: message`);
  }
});
