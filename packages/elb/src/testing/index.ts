/**
 * Helpers for tests of packages that talk to ELB, imported as `@berth/elb/testing`; never
 * from production code.
 */
export {
  type FakeElb,
  type FakeElbAnswer,
  type FakeElbCall,
  type FakeElbOptions,
  startFakeElb,
} from './fake-elb.js';
