// Issue 21: the AWS query protocol's pure parts: form fields → nested params (lists as
// `member.N`, '' for the CLI's empty list, prototype keys refused) and the XML answers
// (escaped by fast-xml-parser, lists as <member>, errors as <ErrorResponse>).
import t from 'tap';
import { XMLParser } from 'fast-xml-parser';
import { errorXml, parseQuery, resultXml, type QueryApi } from '../src/adapters/query-protocol.js';
import { EcsError } from '../src/errors.js';

const api: QueryApi = {
  service: 'monitoring',
  version: '2010-08-01',
  xmlns: 'http://monitoring.amazonaws.com/doc/2010-08-01/',
  handlers: {},
  leaderOnly: new Set(),
};

t.test('parseQuery', async (t) => {
  t.same(
    parseQuery(
      'Action=PutMetricAlarm&AlarmName=a+b%26c&Dimensions.member.2.Name=ServiceName&' +
        'Dimensions.member.1.Name=ClusterName&Dimensions.member.1.Value=default&' +
        'Dimensions.member.2.Value=web&AlarmActions.member.1=arn1&OKActions=',
    ),
    {
      Action: 'PutMetricAlarm',
      AlarmName: 'a b&c',
      Dimensions: [
        { Name: 'ClusterName', Value: 'default' },
        { Name: 'ServiceName', Value: 'web' },
      ],
      AlarmActions: ['arn1'],
      OKActions: '',
    },
  );
  t.same(parseQuery('AlarmNames.member.3=c&AlarmNames.member.1=a'), { AlarmNames: ['a', 'c'] });
  const bads = [
    '__proto__.x=1',
    'A.constructor=1',
    'A..B=1',
    'A.member.0=x',
    'A.member.10001=x',
    // A huge index in the middle of a path used to build a 2^32-long sparse array (minutes of CPU).
    'Dimensions.member.4294967295.Name=x',
    'Dimensions.member.0.Name=x',
  ];
  for (const bad of bads) {
    let got: unknown;
    try {
      parseQuery(bad);
    } catch (e) {
      got = e;
    }
    t.match(got, { type: 'InvalidParameterValue' }, bad);
  }
  t.equal(({} as Record<string, unknown>)['x'], undefined, 'no prototype touched');
});

t.test('resultXml and errorXml', async (t) => {
  const parser = new XMLParser({ ignoreAttributes: false, parseTagValue: false });
  const xml = resultXml(
    api,
    'DescribeAlarms',
    {
      MetricAlarms: [
        { AlarmName: '<a & "b">', Threshold: 70, ActionsEnabled: true, OKActions: [] },
      ],
      NextToken: undefined,
    },
    'req-1',
  );
  t.notMatch(xml, /<a & "b">/, 'escaped');
  const doc = parser.parse(xml);
  t.same(doc.DescribeAlarmsResponse['@_xmlns'], api.xmlns);
  t.same(doc.DescribeAlarmsResponse.DescribeAlarmsResult.MetricAlarms.member, {
    AlarmName: '<a & "b">',
    Threshold: '70',
    ActionsEnabled: 'true',
    OKActions: '',
  });
  t.same(doc.DescribeAlarmsResponse.ResponseMetadata.RequestId, 'req-1');
  t.notMatch(xml, /NextToken/, 'undefined members are left out');
  t.match(resultXml(api, 'DeleteAlarms', undefined, 'r'), /^<DeleteAlarmsResponse xmlns=/);
  const err = parser.parse(
    errorXml(api, new EcsError('ResourceNotFound', 'The alarm <x> does not exist.', 404), 'r2'),
  );
  t.same(err.ErrorResponse.Error, {
    Type: 'Sender',
    Code: 'ResourceNotFound',
    Message: 'The alarm <x> does not exist.',
  });
  t.same(err.ErrorResponse.RequestId, 'r2');
});
