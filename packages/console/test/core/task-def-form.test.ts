import t from 'tap';
import {
  editableCopy,
  fieldOfError,
  formFields,
  nearestField,
  readForm,
} from '../../src/core/task-def-form.js';
import { familyRows, plainJson } from '../../src/core/task-def-view.js';

const described = {
  taskDefinitionArn: 'arn:aws:ecs:us-east-1:0:task-definition/hello:1',
  family: 'hello',
  revision: 1,
  status: 'ACTIVE',
  registeredAt: 1700000000,
  requiresAttributes: [],
  compatibilities: ['EC2'],
  networkMode: 'bridge',
  containerDefinitions: [
    {
      name: 'hello',
      image: 'berth/busybox:test',
      memory: 64,
      essential: true,
      portMappings: [{ containerPort: 8080 }],
    },
    { name: 'side', image: 'x', cpu: 10 },
  ],
};

t.test('the editable copy drops what RegisterTaskDefinition does not take', async (t) => {
  t.same(Object.keys(editableCopy(described)), ['family', 'networkMode', 'containerDefinitions']);
});

t.test('form fields: scalars as inputs, objects as JSON, per container', async (t) => {
  const fields = formFields(editableCopy(described));
  t.same(
    fields.map((f) => [f.path, f.kind]),
    [
      ['family', 'text'],
      ['networkMode', 'text'],
      ['containerDefinitions[0].name', 'text'],
      ['containerDefinitions[0].image', 'text'],
      ['containerDefinitions[0].memory', 'number'],
      ['containerDefinitions[0].essential', 'boolean'],
      ['containerDefinitions[0].portMappings', 'json'],
      ['containerDefinitions[1].name', 'text'],
      ['containerDefinitions[1].image', 'text'],
      ['containerDefinitions[1].cpu', 'number'],
    ],
  );
  const same = readForm(fields, {});
  t.same(same.definition, editableCopy(described), 'an untouched form gives the copy back');
  const edited = readForm(fields, {
    'containerDefinitions[0].memory': '2',
    'containerDefinitions[0].essential': 'false',
  });
  t.match(edited.definition, {
    containerDefinitions: [{ memory: 2, essential: false }, { cpu: 10 }],
  });
  t.same(
    readForm(fields, { 'containerDefinitions[1].cpu': '' }).definition?.['containerDefinitions'],
    [described.containerDefinitions[0], { name: 'side', image: 'x' }],
    'an emptied number is left out',
  );
  const broken = readForm(fields, {
    'containerDefinitions[0].portMappings': '[{',
    'containerDefinitions[0].memory': 'lots',
  });
  t.equal(broken.definition, undefined);
  t.same(
    broken.problems.map((p) => p.path),
    ['containerDefinitions[0].memory', 'containerDefinitions[0].portMappings'],
  );
});

t.test('the field a scheduler message names', async (t) => {
  const def = editableCopy(described);
  const cases = [
    {
      input: "Invalid 'memory' setting for container 'hello': must be at least 4.",
      want: 'containerDefinitions[0].memory',
    },
    {
      input: "Invalid 'cpu' setting for container 'side': must be an integer.",
      want: 'containerDefinitions[1].cpu',
    },
    {
      input: "Invalid 'hostPort' setting for container 'hello': must be from 0 to 65535.",
      want: 'containerDefinitions[0].hostPort',
    },
    {
      input:
        "Invalid setting for container 'hello'. 'memory' must be greater than or equal to 'memoryReservation'.",
      want: 'containerDefinitions[0].memory',
    },
    { input: "Invalid 'name' setting for container 1: x.", want: 'containerDefinitions[1].name' },
    {
      input: "Invalid 'pidMode' setting for the task definition: 'x' is not one of host, task.",
      want: 'pidMode',
    },
    {
      input: 'Container.image should not be null or empty.',
      want: 'containerDefinitions[0].image',
      def: { containerDefinitions: [{ name: 'a', image: ' ' }] },
    },
    {
      input: 'Container.name contains invalid characters.',
      want: 'containerDefinitions[1].name',
      def: { containerDefinitions: [{ name: 'ok' }, { name: 'n o' }] },
    },
    {
      input:
        "Duplicate container name 'a'. Container names must be unique within a task definition.",
      want: 'containerDefinitions[1].name',
      def: { containerDefinitions: [{ name: 'a' }, { name: 'a' }] },
    },
    {
      input: "Invalid networkMode 'x'. Valid values are bridge, host, awsvpc and none.",
      want: 'networkMode',
    },
    { input: 'Container list cannot be empty.', want: 'containerDefinitions' },
    {
      input:
        "The sum of all container 'cpu' values cannot be greater than the value of the task 'cpu'.",
      want: 'cpu',
    },
    {
      input: 'containerDefinitions[0].portMappings[1] must be a JSON object.',
      want: 'containerDefinitions[0].portMappings[1]',
    },
    { input: 'Family contains invalid characters.', want: 'family' },
    { input: 'Something else entirely.', want: undefined },
  ];
  for (const c of cases) t.equal(fieldOfError(c.input, c.def ?? def), c.want, c.input);
});

t.test('messages land on the nearest field shown', async (t) => {
  const fields = formFields(editableCopy(described));
  const cases = [
    { input: 'containerDefinitions[0].memory', want: 'containerDefinitions[0].memory' },
    {
      input: 'containerDefinitions[0].portMappings[1].hostPort',
      want: 'containerDefinitions[0].portMappings',
    },
    { input: 'containerDefinitions[0].hostPort', want: 'containerDefinitions[0].name' },
    { input: 'pidMode', want: undefined },
    { input: undefined, want: undefined },
  ];
  for (const c of cases) t.equal(nearestField(c.input, fields), c.want, String(c.input));
});

t.test('families group revisions newest first', async (t) => {
  t.same(
    familyRows([
      'arn:x:task-definition/web:1',
      'arn:x:task-definition/hello:2',
      'hello:10',
      'web:3',
      'broken',
    ]),
    [
      { family: 'hello', revisions: [10, 2], latest: 10 },
      { family: 'web', revisions: [3, 1], latest: 3 },
    ],
  );
  t.same(plainJson({ a: new Date(2000), b: [undefined, 1], c: undefined }), {
    a: 2,
    b: [undefined, 1],
  });
});
