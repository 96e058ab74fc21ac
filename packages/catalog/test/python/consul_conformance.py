#!/usr/bin/python3
"""Drives Debian's python3-consul 0.7.1 against a running berth catalog.

Run with /usr/bin/python3 (the Debian interpreter that has the module) and
CONSUL_HTTP_ADDR=127.0.0.1:<port>. Each test prints one JSON line:
  {"test": name, "ok": bool, "failures": [{"what", "expected", "got"}], "error": str|null}
and the script exits 1 when any test failed. Only loopback is contacted.

python-consul 0.7.1 predates Consul 1.0's verb enforcement: it sends GET for
agent service/check deregister and check pass/warn/fail. A strict server answers
those with 405, so those calls are asserted to fail with 405 + Allow, and the
writes themselves are then sent with PUT through the same client's HTTP layer.
"""

import base64
import http.server
import json
import os
import socket
import sys
import threading
import time
import traceback
import uuid

import consul
from consul.base import CB

ADDR = os.environ.get('CONSUL_HTTP_ADDR', '')
assert ADDR.startswith('127.'), 'CONSUL_HTTP_ADDR must be a loopback host:port'

c = consul.Consul()
NODE = None  # filled from agent.self()

# Timing knobs the tap test passes to startCatalog, so expiry tests take seconds, not minutes.
SESSION_TTL_MULTIPLIER = float(os.environ.get('BERTH_TEST_SESSION_TTL_MULTIPLIER', '2'))
DEREGISTER_MIN_S = float(os.environ.get('BERTH_TEST_DEREGISTER_MIN_MS', '60000')) / 1000
REAP_INTERVAL_S = float(os.environ.get('BERTH_TEST_REAP_INTERVAL_MS', '30000')) / 1000

TESTS = []


def test(fn):
    TESTS.append(fn)
    return fn


class Expect:
    """Soft assertions: every mismatch is recorded, the test goes on."""

    def __init__(self):
        self.failures = []

    def eq(self, got, expected, what):
        if got != expected:
            self.failures.append({'what': what, 'expected': _j(expected), 'got': _j(got)})
        return got == expected

    def true(self, cond, what, got=None):
        if not cond:
            self.failures.append({'what': what, 'expected': True, 'got': _j(got)})
        return bool(cond)

    def raises(self, exc, fn, what):
        try:
            got = fn()
        except exc:
            return True
        except Exception as e:  # noqa: BLE001 - report the wrong exception
            self.failures.append({'what': what, 'expected': exc.__name__,
                                  'got': '%s: %s' % (type(e).__name__, e)})
            return False
        self.failures.append({'what': what, 'expected': exc.__name__,
                              'got': 'no exception, returned %r' % (got,)})
        return False


def _j(v):
    if isinstance(v, bytes):
        return 'bytes:' + base64.b64encode(v).decode()
    try:
        json.dumps(v)
        return v
    except TypeError:
        return repr(v)


def raw(method, path, params=None, data=''):
    """The same client's HTTP layer, returning (code, headers, body)."""
    cb = lambda r: r  # noqa: E731
    if method == 'GET':
        return c.http.get(cb, path, params=params)
    if method == 'PUT':
        return c.http.put(cb, path, params=params, data=data)
    if method == 'DELETE':
        return c.http.delete(cb, path, params=params)
    raise ValueError(method)


def put_ok(path, params=None, data=''):
    """A write python-consul 0.7.1 sends as GET, sent with the right verb."""
    return c.http.put(CB.bool(), path, params=params, data=data)


def expect_get_write_refused(e, result, path):
    """A GET write: the client returns False, the server says 405 with Allow."""
    e.eq(result, False, 'python-consul GET %s returns False (405)' % path)
    r = raw('GET', path)
    e.eq(r.code, 405, 'GET %s status' % path)
    allow = r.headers.get('Allow', '')
    e.true('PUT' in allow, 'GET %s Allow header lists PUT' % path, allow)
    e.eq(r.body.strip(), 'method GET not allowed', 'GET %s body' % path)


def wait_for(fn, timeout=6.0, step=0.1):
    """Polls fn() until truthy or timeout (bounded); returns the last value."""
    end = time.time() + timeout
    v = fn()
    while not v and time.time() < end:
        time.sleep(step)
        v = fn()
    return v


def uniq(prefix):
    return '%s-%s' % (prefix, uuid.uuid4().hex[:8])


class CheckTarget:
    """A local HTTP server whose status code the test sets (for HTTP checks)."""

    def __init__(self):
        self.code = 200
        target = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                body = ('status %d' % target.code).encode()
                self.send_response(target.code)
                self.send_header('Content-Length', str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


# ---------------------------------------------------------------- KV


@test
def kv_put_get(e):
    k = uniq('py/kv/foo')
    e.eq(c.kv.put(k, 'bar'), True, 'put returns True')
    index, data = c.kv.get(k)
    e.true(isinstance(index, str) and index.isdigit() and int(index) > 0,
           'X-Consul-Index is a positive integer', index)
    e.eq(data and data.get('Key'), k, 'Key')
    e.eq(data and data.get('Value'), b'bar', 'Value')
    e.eq(data and data.get('Flags'), 0, 'Flags')
    e.eq(data and data.get('LockIndex'), 0, 'LockIndex')
    e.true(data and data.get('CreateIndex', 0) > 0, 'CreateIndex > 0', data)
    e.true(data and data.get('ModifyIndex', 0) >= data.get('CreateIndex', 0), 'ModifyIndex', data)
    e.true(data is not None and 'Session' not in data, 'no Session on an unlocked key', data)
    index, missing = c.kv.get(uniq('py/kv/missing'))
    e.eq(missing, None, 'missing key is None')
    e.true(index is not None and int(index) > 0, 'index on a 404', index)
    c.kv.delete(k)


@test
def kv_encoding(e):
    base = uniq('py/enc')
    cases = [('empty', '', None), ('none', None, None),
             ('binary', b'\x00\x01\xfe\xff', b'\x00\x01\xfe\xff'),
             # requests sends a str body as latin-1, so UTF-8 text goes as bytes.
             ('utf8', u'h\u00e9llo \u2603'.encode('utf-8'), u'h\u00e9llo \u2603'.encode('utf-8')),
             ('latin1', u'caf\u00e9', b'caf\xe9'),
             ('json', json.dumps({'a': 1}), b'{"a": 1}')]
    for name, value, want in cases:
        e.eq(c.kv.put('%s/%s' % (base, name), value), True, 'put %s' % name)
        _, data = c.kv.get('%s/%s' % (base, name))
        e.eq(data and data['Value'], want, 'value round-trip: %s' % name)
    c.kv.delete(base, recurse=True)


@test
def kv_flags(e):
    k = uniq('py/flags')
    for flags in (50, 3304740253564472344, 2 ** 64 - 1):
        e.eq(c.kv.put(k, 'x', flags=flags), True, 'put flags=%d' % flags)
        _, data = c.kv.get(k)
        e.eq(data and data['Flags'], flags, 'flags round-trip %d' % flags)
    c.kv.delete(k)


@test
def kv_recurse(e):
    base = uniq('py/rec')
    for k in ('a/1', 'a/2', 'a/b/3', 'b/1'):
        c.kv.put('%s/%s' % (base, k), k)
    _, data = c.kv.get('%s/a/' % base, recurse=True)
    e.eq([d['Key'] for d in data or []],
         ['%s/a/1' % base, '%s/a/2' % base, '%s/a/b/3' % base], 'recurse keys in order')
    e.eq([d['Value'] for d in data or []], [b'a/1', b'a/2', b'a/b/3'], 'recurse values')
    _, none = c.kv.get('%s/zzz/' % base, recurse=True)
    e.eq(none, None, 'recurse on an empty prefix is None (404)')
    c.kv.delete(base, recurse=True)


@test
def kv_keys_separator(e):
    base = uniq('py/keys') + '/'
    for k in ('base/foo', 'base/bar', 'foo'):
        c.kv.put(base + k, '1')
    _, keys = c.kv.get(base, keys=True, separator='/')
    e.eq(keys, [base + 'base/', base + 'foo'], 'keys with separator roll up')
    _, keys = c.kv.get(base, keys=True)
    e.eq(keys, [base + 'base/bar', base + 'base/foo', base + 'foo'], 'keys without separator')
    _, keys = c.kv.get(uniq('py/nokeys') + '/', keys=True)
    e.eq(keys, None, 'keys on an empty prefix is None (404)')
    c.kv.delete(base, recurse=True)


@test
def kv_delete(e):
    base = uniq('py/del')
    for k in ('x', 'y/1', 'y/2'):
        c.kv.put('%s/%s' % (base, k), 'v')
    e.eq(c.kv.delete('%s/x' % base), True, 'delete returns True')
    e.eq(c.kv.get('%s/x' % base)[1], None, 'deleted key is gone')
    e.eq(c.kv.delete('%s/x' % base), True, 'deleting a missing key returns True')
    e.eq(c.kv.delete('%s/y' % base, recurse=True), True, 'recursive delete')
    e.eq(c.kv.get('%s/' % base, recurse=True)[1], None, 'prefix is empty')


@test
def kv_cas(e):
    k = uniq('py/cas')
    e.eq(c.kv.put(k, 'one', cas=0), True, 'cas=0 creates')
    e.eq(c.kv.put(k, 'two', cas=0), False, 'cas=0 on an existing key fails')
    _, data = c.kv.get(k)
    idx = data['ModifyIndex']
    e.eq(c.kv.put(k, 'three', cas=idx + 1000), False, 'stale cas fails')
    e.eq(c.kv.put(k, 'three', cas=idx), True, 'matching cas succeeds')
    _, data = c.kv.get(k)
    e.eq(data['Value'], b'three', 'value after cas')
    e.true(data['ModifyIndex'] > idx, 'ModifyIndex grew', data['ModifyIndex'])
    e.eq(c.kv.delete(k, cas=idx), False, 'delete with stale cas fails')
    e.eq(c.kv.get(k)[1] is not None, True, 'key still there')
    e.eq(c.kv.delete(k, cas=data['ModifyIndex']), True, 'delete with matching cas')
    e.eq(c.kv.get(k)[1], None, 'key deleted')


@test
def kv_blocking(e):
    k = uniq('py/block')
    c.kv.put(k, 'v1')
    index, _ = c.kv.get(k)
    t = threading.Timer(0.3, lambda: c.kv.put(k, 'v2'))
    t.start()
    start = time.time()
    new_index, data = c.kv.get(k, index=index, wait='5s')
    took = time.time() - start
    t.join()
    e.eq(data and data['Value'], b'v2', 'blocking get returns the new value')
    e.true(int(new_index) > int(index), 'index grew', [index, new_index])
    e.true(0.2 <= took < 3, 'woke up on the write (%.2fs)' % took, took)
    start = time.time()
    same_index, _ = c.kv.get(k, index=new_index, wait='200ms')
    took = time.time() - start
    e.true(0.15 <= took < 2, 'wait=200ms is honoured (%.2fs)' % took, took)
    e.eq(same_index, new_index, 'timeout returns the same index')
    # A delete must raise the index too.
    t = threading.Timer(0.2, lambda: c.kv.delete(k))
    t.start()
    del_index, gone = c.kv.get(k, index=same_index, wait='5s')
    t.join()
    e.eq(gone, None, 'blocking get sees the delete')
    e.true(int(del_index) > int(same_index), 'delete raised the index', [same_index, del_index])


@test
def kv_acquire_release(e):
    k = uniq('py/lock')
    s1 = c.session.create(lock_delay=0)
    s2 = c.session.create(lock_delay=0)
    e.eq(c.kv.put(k, 'held', acquire=s1), True, 'acquire a free key')
    _, data = c.kv.get(k)
    e.eq(data and data.get('Session'), s1, 'Session set')
    e.eq(data and data.get('LockIndex'), 1, 'LockIndex 1')
    e.eq(c.kv.put(k, 'again', acquire=s1), True, 're-acquire by the holder')
    e.eq(c.kv.get(k)[1]['LockIndex'], 1, 'LockIndex unchanged on re-acquire')
    e.eq(c.kv.put(k, 'steal', acquire=s2), False, 'acquire of a held key fails')
    e.eq(c.kv.put(k, 'x', release=s2), False, 'release by another session fails')
    e.eq(c.kv.put(k, 'released', release=s1), True, 'release by the holder')
    _, data = c.kv.get(k)
    e.true(data is not None and data.get('Session') is None, 'Session cleared', data)
    e.eq(data and data['Value'], b'released', 'release writes the body')
    e.eq(data and data['LockIndex'], 1, 'LockIndex kept on release')
    e.eq(c.kv.put(k, 'steal', acquire=s2), True, 'another session acquires after release')
    e.eq(c.kv.get(k)[1]['LockIndex'], 2, 'LockIndex 2')
    e.raises(consul.ConsulException,
             lambda: c.kv.put(k, 'x', acquire='00000000-0000-0000-0000-000000000000'),
             'acquire with an unknown session raises (500)')
    c.session.destroy(s1)
    c.session.destroy(s2)
    c.kv.delete(k)


@test
def kv_unknown_dc(e):
    e.raises(consul.ConsulException, lambda: c.kv.get('py/x', dc='dc2'),
             'dc=dc2 raises (500 No path to datacenter)')
    e.eq(c.kv.get(uniq('py/x'), dc='dc1')[1], None, 'dc=dc1 is the local dc')


@test
def kv_token_ignored_without_acl(e):
    k = uniq('py/token')
    ct = consul.Consul(token='some-token')
    e.eq(ct.kv.put(k, 'v'), True, 'put with ?token= is accepted')
    e.eq(ct.kv.get(k)[1]['Value'], b'v', 'get with ?token=')
    c.kv.delete(k)


@test
def kv_consistency_modes(e):
    k = uniq('py/consistency')
    c.kv.put(k, 'v')
    for mode in ('consistent', 'stale', 'default'):
        _, data = c.kv.get(k, consistency=mode)
        e.eq(data and data['Value'], b'v', 'get with consistency=%s' % mode)
    cc = consul.Consul(consistency='consistent')
    e.eq(cc.kv.get(k)[1]['Value'], b'v', 'client-wide consistent mode')
    r = raw('GET', '/v1/kv/%s' % k, params={'stale': '1', 'consistent': '1'})
    e.eq(r.code, 400, 'stale + consistent: 400')
    c.kv.delete(k)


@test
def kv_root_keys(e):
    k = uniq('py/rootkeys')
    c.kv.put(k, 'v')
    _, keys = c.kv.get('', keys=True)
    e.true(k in (keys or []), 'keys at the root list every key', keys)
    _, top = c.kv.get('', keys=True, separator='/')
    e.true('py/' in (top or []), 'root keys with separator roll up to py/', top)
    c.kv.delete(k)


@test
def kv_bad_input(e):
    # (A `..` segment cannot be tested from here: urllib3 removes dot segments before sending.)
    e.raises(consul.base.BadRequest, lambda: c.kv.put('py/ trailing ', 'x'),
             'key with surrounding spaces: 400')
    r = raw('PUT', '/v1/kv/%s' % uniq('py/big'), data=b'x' * (512 * 1024 + 1))
    e.eq(r.code, 413, 'value over 512 KiB: 413')
    r = raw('PUT', '/v1/kv/%s' % uniq('py/flags'), params={'flags': 'abc'})
    e.true(r.code in (400, 500), 'bad flags refused', r.code)
    r = raw('PUT', '/v1/kv/%s' % uniq('py/conflict'), params={'cas': '0', 'acquire': 'x'})
    e.eq(r.code, 400, 'cas + acquire: 400')
    r = raw('GET', '/v1/kv/')
    e.eq(r.code, 400, 'GET /v1/kv/ without recurse: 400')
    r = raw('GET', '/v1/kv/%s' % uniq('py/x'), params={'index': 'abc'})
    e.eq(r.code, 400, 'index=abc: 400')
    r = raw('GET', '/v1/kv/%s' % uniq('py/x'), params={'index': '1', 'wait': 'soon'})
    e.eq(r.code, 400, 'wait=soon: 400')
    r = raw('DELETE', '/v1/kv/')
    e.eq(r.code, 400, 'DELETE /v1/kv/ without recurse: 400')


# ---------------------------------------------------------------- sessions


@test
def session_create_info_list(e):
    name = uniq('py-session')
    sid = c.session.create(name=name)
    e.true(isinstance(sid, str) and len(sid) == 36, 'ID is a UUID', sid)
    index, info = c.session.info(sid)
    e.true(int(index) > 0, 'index', index)
    e.eq(info and info.get('ID'), sid, 'info ID')
    e.eq(info and info.get('Name'), name, 'info Name')
    e.eq(info and info.get('Node'), NODE, 'info Node defaults to the agent node')
    e.eq(info and info.get('Behavior'), 'release', 'default Behavior')
    e.eq(info and info.get('LockDelay'), 15000000000, 'default LockDelay in ns')
    e.eq(info and info.get('NodeChecks'), ['serfHealth'], 'default NodeChecks')
    e.true(info and info.get('CreateIndex', 0) > 0, 'CreateIndex', info)
    _, sessions = c.session.list()
    e.true(sid in [s['ID'] for s in sessions or []], 'list contains it', sessions)
    _, by_node = c.session.node(NODE)
    e.true(sid in [s['ID'] for s in by_node or []], 'node list contains it', by_node)
    e.eq(c.session.node(uniq('no-node'))[1], [], 'unknown node has no sessions')
    e.eq(c.session.destroy(sid), True, 'destroy')
    e.eq(c.session.info(sid)[1], None, 'info after destroy is None')
    _, sessions = c.session.list()
    e.true(sid not in [s['ID'] for s in sessions or []], 'list no longer has it', sessions)
    e.eq(c.session.destroy(sid), True, 'destroying twice is fine')


@test
def session_ttl_renew(e):
    sid = c.session.create(ttl=10)
    _, info = c.session.info(sid)
    e.eq(info and info.get('TTL'), '10s', 'TTL')
    renewed = c.session.renew(sid)
    e.eq(renewed and renewed.get('ID'), sid, 'renew returns the session')
    e.true(renewed and renewed.get('TTL', '').endswith('s'), 'renew returns a TTL', renewed)
    c.session.destroy(sid)
    e.raises(consul.NotFound, lambda: c.session.renew(sid), 'renew of a destroyed session')


@test
def session_behavior_delete(e):
    k = uniq('py/ephemeral')
    sid = c.session.create(behavior='delete', lock_delay=0, ttl=10)
    _, info = c.session.info(sid)
    e.eq(info and info.get('Behavior'), 'delete', 'Behavior')
    e.eq(info and info.get('LockDelay'), 0, 'LockDelay 0')
    e.eq(c.kv.put(k, 'mine', acquire=sid), True, 'acquire')
    c.session.destroy(sid)
    e.eq(c.kv.get(k)[1], None, 'key deleted with its session')


@test
def session_lock_delay(e):
    k1, k2 = uniq('py/delay'), uniq('py/nodelay')
    slow = c.session.create()  # default 15 s lock delay
    fast = c.session.create(lock_delay=0)
    e.eq(c.kv.put(k1, 'a', acquire=slow), True, 'acquire with lock delay')
    e.eq(c.kv.put(k2, 'a', acquire=fast), True, 'acquire without lock delay')
    c.session.destroy(slow)
    c.session.destroy(fast)
    _, data = c.kv.get(k1)
    e.true(data is not None and data.get('Session') is None, 'release behavior keeps the key', data)
    other = c.session.create(lock_delay=0)
    e.eq(c.kv.put(k1, 'b', acquire=other), False, 'lock delay blocks a new acquire')
    e.eq(c.kv.put(k2, 'b', acquire=other), True, 'no lock delay: acquire succeeds')
    c.session.destroy(other)
    c.kv.delete(k1)
    c.kv.delete(k2)


@test
def session_ttl_expiry(e):
    k = uniq('py/ttl-lock')
    sid = c.session.create(ttl=10, behavior='delete', lock_delay=0)
    e.eq(c.kv.put(k, 'v', acquire=sid), True, 'acquire')
    limit = 10 * SESSION_TTL_MULTIPLIER + 3
    gone = wait_for(lambda: c.session.info(sid)[1] is None, timeout=limit)
    e.true(gone, 'session invalidated after %.1fs without renew' % (10 * SESSION_TTL_MULTIPLIER))
    e.eq(c.kv.get(k)[1], None, 'its delete-behavior key is gone')
    e.raises(consul.NotFound, lambda: c.session.renew(sid), 'renew after expiry: NotFound')


@test
def session_check_invalidation(e):
    svc = uniq('py-sess-svc')
    c.agent.service.register(svc, port=1, check=consul.Check.ttl('30s'))
    cid = 'service:%s' % svc
    e.raises(consul.ConsulException,
             lambda: c.session.create(checks=['serfHealth', cid]),
             'session on a critical check: 500')
    put_ok('/v1/agent/check/pass/%s' % cid)
    sid = c.session.create(checks=['serfHealth', cid], lock_delay=0)
    _, info = c.session.info(sid)
    e.true(info and cid in (info.get('NodeChecks') or []) + (info.get('Checks') or []) +
           [x.get('ID') for x in (info.get('ServiceChecks') or [])],
           'session lists the check', info)
    k = uniq('py/checklock')
    e.eq(c.kv.put(k, 'v', acquire=sid), True, 'acquire')
    put_ok('/v1/agent/check/fail/%s' % cid)
    e.eq(c.session.info(sid)[1], None, 'a critical check invalidates the session')
    _, data = c.kv.get(k)
    e.true(data is not None and data.get('Session') is None, 'lock released', data)
    put_ok('/v1/agent/service/deregister/%s' % svc)
    c.kv.delete(k)


# ---------------------------------------------------------------- catalog


@test
def catalog_datacenters(e):
    e.eq(c.catalog.datacenters(), ['dc1'], 'datacenters')


@test
def catalog_register_deregister(e):
    node, svc = uniq('py-node'), uniq('py-svc')
    e.eq(c.catalog.register(node, '127.0.0.5',
                            service={'service': svc, 'port': 8080, 'tags': ['primary']}),
         True, 'register node + service')
    _, nodes = c.catalog.nodes()
    e.eq([n['Address'] for n in nodes or [] if n['Node'] == node], ['127.0.0.5'], 'nodes')
    names = [n['Node'] for n in nodes or []]
    e.eq(names, sorted(names), 'nodes sorted by name')
    _, services = c.catalog.services()
    e.eq((services or {}).get(svc), ['primary'], 'services: name -> tags')
    e.eq((services or {}).get('consul'), [], 'services has consul')
    index, instances = c.catalog.service(svc)
    e.true(int(index) > 0, 'index', index)
    inst = (instances or [{}])[0]
    e.eq(len(instances or []), 1, 'one instance')
    e.eq(inst.get('Node'), node, 'Node')
    e.eq(inst.get('Address'), '127.0.0.5', 'Address')
    e.eq(inst.get('ServiceName'), svc, 'ServiceName')
    e.eq(inst.get('ServiceID'), svc, 'ServiceID defaults to the name')
    e.eq(inst.get('ServicePort'), 8080, 'ServicePort')
    e.eq(inst.get('ServiceTags'), ['primary'], 'ServiceTags')
    e.eq(len(c.catalog.service(svc, tag='primary')[1] or []), 1, 'tag filter keeps')
    e.eq(c.catalog.service(svc, tag='other')[1], [], 'tag filter drops')
    _, info = c.catalog.node(node)
    e.eq(info and info['Node']['Address'], '127.0.0.5', 'node Address')
    e.eq(sorted((info or {}).get('Services', {}).keys()), [svc], 'node services')
    e.eq(c.catalog.node(uniq('nope'))[1], None, 'unknown node is None')
    e.eq(c.catalog.deregister(node, service_id=svc), True, 'deregister service')
    e.eq(c.catalog.service(svc)[1], [], 'service gone')
    e.eq(c.catalog.deregister(node), True, 'deregister node')
    _, nodes = c.catalog.nodes()
    e.true(node not in [n['Node'] for n in nodes or []], 'node gone', nodes)


@test
def catalog_blocking_services(e):
    index, _ = c.catalog.services()
    svc = uniq('py-block-svc')
    t = threading.Timer(0.3, lambda: c.agent.service.register(svc))
    t.start()
    new_index, services = c.catalog.services(index=index, wait='5s')
    t.join()
    e.true(svc in (services or {}), 'blocking catalog.services sees the new service', services)
    e.true(int(new_index) > int(index), 'index grew', [index, new_index])
    put_ok('/v1/agent/service/deregister/%s' % svc)


@test
def catalog_register_with_check(e):
    node, svc = uniq('py-cnode'), uniq('py-csvc')
    e.eq(c.catalog.register(node, '127.0.0.6', service={'service': svc, 'port': 81},
                            check={'checkid': 'web-alive', 'name': 'web alive',
                                   'status': 'passing', 'serviceid': svc}),
         True, 'register with a check')
    _, checks = c.health.checks(svc)
    e.eq([(x['CheckID'], x['Status'], x['Node']) for x in checks or []],
         [('web-alive', 'passing', node)], 'health.checks for the catalog check')
    _, passing = c.health.service(svc, passing=True)
    e.eq([x['Node']['Node'] for x in passing or []], [node], 'passing instance on that node')
    e.eq(c.catalog.deregister(node, check_id='web-alive'), True, 'deregister the check')
    e.eq(c.health.checks(svc)[1], [], 'check gone')
    c.catalog.deregister(node)


# ---------------------------------------------------------------- agent


@test
def agent_self_members(e):
    me = c.agent.self()
    e.eq(me['Config']['NodeName'], NODE, 'Config.NodeName')
    e.eq(me['Config']['Datacenter'], 'dc1', 'Config.Datacenter')
    e.eq(me['Config'].get('Server'), True, 'Config.Server')
    e.eq(me['Member']['Name'], NODE, 'Member.Name')
    members = c.agent.members()
    e.true(me['Member'] in members, 'self Member is one of members', members)
    e.eq(members[0].get('Status'), 1, 'member Status alive')
    wan = c.agent.members(wan=True)
    e.eq([m.get('Name') for m in wan], ['%s.dc1' % NODE], 'wan member name is node.dc')


@test
def agent_status(e):
    e.eq(c.status.leader(), '127.0.0.1:8300', 'status leader')
    e.eq(c.status.peers(), ['127.0.0.1:8300'], 'status peers')


@test
def agent_service_register_deregister(e):
    sid = 'app#127.0.0.1#%d' % (3000 + os.getpid() % 1000)
    e.eq(c.agent.service.register('py-app', service_id=sid, address='127.0.0.7', port=3000,
                                  tags=['a', 'b'], enable_tag_override=True),
         True, 'register')
    services = c.agent.services()
    s = services.get(sid, {})
    e.eq(s.get('ID'), sid, 'ID with # characters')
    e.eq(s.get('Service'), 'py-app', 'Service')
    e.eq(s.get('Tags'), ['a', 'b'], 'Tags')
    e.eq(s.get('Port'), 3000, 'Port')
    e.eq(s.get('Address'), '127.0.0.7', 'Address')
    e.eq(s.get('EnableTagOverride'), True, 'EnableTagOverride from lowercase json')
    e.true('consul' not in services, 'agent services do not list consul', list(services))
    path = '/v1/agent/service/deregister/%s' % sid
    expect_get_write_refused(e, c.agent.service.deregister(sid), path)
    e.true(sid in c.agent.services(), 'still registered after the refused GET')
    e.eq(put_ok(path), True, 'PUT deregister')
    e.true(sid not in c.agent.services(), 'deregistered')
    e.eq(put_ok('/v1/agent/service/deregister/%s' % uniq('nope')), True,
         'deregistering an unknown service is a no-op')


@test
def agent_service_with_ttl_check(e):
    svc = uniq('py-ttl-svc')
    e.eq(c.agent.service.register(svc, port=1234, check=consul.Check.ttl('10s')), True,
         'register with a TTL check')
    checks = c.agent.checks()
    chk = checks.get('service:%s' % svc, {})
    e.eq(chk.get('Status'), 'critical', 'a new TTL check is critical')
    e.eq(chk.get('ServiceID'), svc, 'ServiceID')
    e.eq(chk.get('ServiceName'), svc, 'ServiceName')
    e.eq(chk.get('Type'), 'ttl', 'Type')
    e.true('serfHealth' not in checks, 'agent checks do not list serfHealth', list(checks))
    _, healthy = c.health.service(svc, passing=True)
    e.eq(healthy, [], 'not passing yet')
    cid = 'service:%s' % svc
    for verb, status in (('pass', 'passing'), ('warn', 'warning'), ('fail', 'critical')):
        fn = getattr(c.agent.check, 'ttl_%s' % verb)
        path = '/v1/agent/check/%s/%s' % (verb, cid)
        expect_get_write_refused(e, fn(cid, 'note %s' % verb), path)
        e.eq(put_ok(path, params={'note': 'note %s' % verb}), True, 'PUT %s' % verb)
        chk = c.agent.checks().get(cid, {})
        e.eq(chk.get('Status'), status, 'status after %s' % verb)
        e.eq(chk.get('Output'), 'note %s' % verb, 'Output after %s' % verb)
    put_ok('/v1/agent/check/pass/%s' % cid)
    _, healthy = c.health.service(svc, passing=True)
    e.eq(len(healthy or []), 1, 'passing after pass')
    r = raw('PUT', '/v1/agent/check/pass/%s' % uniq('no-such-check'))
    e.eq(r.code, 500, 'pass on an unknown check: 500')
    e.true('does not have associated TTL' in r.body, 'unknown check message', r.body)
    put_ok('/v1/agent/service/deregister/%s' % svc)
    e.true(cid not in c.agent.checks(), 'service checks go with the service')


@test
def agent_check_register_deregister(e):
    cid = uniq('py-check')
    e.eq(c.agent.check.register('py check', check=consul.Check.ttl('10s'), check_id=cid,
                                notes='some notes'),
         True, 'register a node-level TTL check')
    chk = c.agent.checks().get(cid, {})
    e.eq(chk.get('Name'), 'py check', 'Name')
    e.eq(chk.get('Notes'), 'some notes', 'Notes')
    e.eq(chk.get('Status'), 'critical', 'initial status critical')
    e.eq(chk.get('ServiceID'), '', 'node-level check has no ServiceID')
    _, node_checks = c.health.node(NODE)
    e.true(cid in [x['CheckID'] for x in node_checks or []], 'health.node lists it', node_checks)
    e.eq(c.agent.check.register('orphan', check=consul.Check.ttl('10s'),
                                service_id=uniq('no-such-service')),
         False, 'check for an unknown service is refused (404)')
    path = '/v1/agent/check/deregister/%s' % cid
    expect_get_write_refused(e, c.agent.check.deregister(cid), path)
    e.eq(put_ok(path), True, 'PUT check deregister')
    e.true(cid not in c.agent.checks(), 'check gone')


@test
def agent_service_maintenance(e):
    svc = uniq('py-maint')
    c.agent.service.register(svc, port=1, check=consul.Check.ttl('10s'))
    put_ok('/v1/agent/check/pass/service:%s' % svc)
    e.eq(len(c.health.service(svc, passing=True)[1] or []), 1, 'passing before maintenance')
    e.eq(c.agent.service.maintenance(svc, 'true', 'py reason'), True, 'enable maintenance')
    mid = '_service_maintenance:%s' % svc
    chk = c.agent.checks().get(mid, {})
    e.eq(chk.get('Status'), 'critical', 'maintenance check critical')
    e.eq(chk.get('Notes'), 'py reason', 'maintenance Notes = reason')
    e.eq(chk.get('Name'), 'Service Maintenance Mode', 'maintenance Name')
    e.eq(chk.get('ServiceID'), svc, 'maintenance ServiceID')
    e.eq(c.health.service(svc, passing=True)[1], [], 'maintenance removes it from passing')
    e.eq(c.agent.service.maintenance(svc, 'true'), True, 'enable is idempotent')
    e.eq(c.agent.service.maintenance(svc, 'false'), True, 'disable maintenance')
    e.true(mid not in c.agent.checks(), 'maintenance check removed')
    e.eq(len(c.health.service(svc, passing=True)[1] or []), 1, 'passing again')
    e.eq(c.agent.service.maintenance(uniq('nope'), 'true'), False, 'unknown service (404)')
    r = raw('PUT', '/v1/agent/service/maintenance/%s' % svc)
    e.eq(r.code, 400, 'missing enable: 400')
    put_ok('/v1/agent/service/deregister/%s' % svc)


@test
def agent_node_maintenance(e):
    svc = uniq('py-nmaint')
    c.agent.service.register(svc, port=1, check=consul.Check.ttl('30s'))
    put_ok('/v1/agent/check/pass/service:%s' % svc)
    e.eq(len(c.health.service(svc, passing=True)[1] or []), 1, 'passing before')
    e.eq(c.agent.maintenance('true'), True, 'enable node maintenance')
    e.eq(c.health.service(svc, passing=True)[1], [], 'node maintenance removes it from passing')
    chk = c.agent.checks().get('_node_maintenance', {})
    e.eq(chk.get('Status'), 'critical', 'node maintenance check critical')
    e.eq(chk.get('Name'), 'Node Maintenance Mode', 'Name')
    e.eq(chk.get('Notes'),
         'Maintenance mode is enabled for this node, but no reason was provided. '
         'This is a default message.', 'default Notes')
    _, node_checks = c.health.node(NODE)
    e.true('_node_maintenance' in [x['CheckID'] for x in node_checks or []],
           'health.node shows it', node_checks)
    e.eq(c.agent.maintenance('false'), True, 'disable node maintenance')
    e.true('_node_maintenance' not in c.agent.checks(), 'node maintenance check removed')
    e.eq(len(c.health.service(svc, passing=True)[1] or []), 1, 'passing after')
    put_ok('/v1/agent/service/deregister/%s' % svc)


# ---------------------------------------------------------------- health


@test
def health_service_checks_node_state(e):
    svc = uniq('py-health')
    c.agent.service.register(svc, service_id=svc + '-1', port=1, tags=['blue'],
                             check=consul.Check.ttl('10s'))
    c.agent.service.register(svc, service_id=svc + '-2', port=2, tags=['green'],
                             check=consul.Check.ttl('10s'))
    put_ok('/v1/agent/check/pass/service:%s-1' % svc)
    index, all_ = c.health.service(svc)
    e.true(int(index) > 0, 'index', index)
    e.eq(sorted(x['Service']['ID'] for x in all_ or []), [svc + '-1', svc + '-2'], 'all instances')
    first = (all_ or [{}])[0]
    e.eq([x['CheckID'] for x in first.get('Checks', [])][:1], ['serfHealth'],
         'node checks come first')
    e.eq(first.get('Node', {}).get('Node'), NODE, 'Node.Node')
    e.true('Weights' in first.get('Service', {}), 'Service.Weights present', first.get('Service'))
    _, passing = c.health.service(svc, passing=True)
    e.eq([x['Service']['ID'] for x in passing or []], [svc + '-1'], 'passing filter')
    _, tagged = c.health.service(svc, tag='green')
    e.eq([x['Service']['ID'] for x in tagged or []], [svc + '-2'], 'tag filter')
    _, tagged_passing = c.health.service(svc, tag='green', passing=True)
    e.eq(tagged_passing, [], 'tag + passing')
    _, checks = c.health.checks(svc)
    e.eq(sorted(x['CheckID'] for x in checks or []),
         ['service:%s-1' % svc, 'service:%s-2' % svc], 'health.checks')
    _, node_checks = c.health.node(NODE)
    serf = [x for x in node_checks or [] if x['CheckID'] == 'serfHealth']
    e.eq(len(serf), 1, 'health.node has serfHealth')
    e.eq(serf and serf[0]['Status'], 'passing', 'serfHealth passing')
    e.eq(c.health.node(uniq('nope'))[1], [], 'unknown node: []')
    _, critical = c.health.state('critical')
    e.true('service:%s-2' % svc in [x['CheckID'] for x in critical or []], 'state critical',
           critical)
    e.true('service:%s-1' % svc not in [x['CheckID'] for x in critical or []],
           'state critical excludes passing')
    _, any_ = c.health.state('any')
    ids = [x['CheckID'] for x in any_ or []]
    e.true('serfHealth' in ids and 'service:%s-1' % svc in ids, 'state any', ids)
    _, passing_state = c.health.state('passing')
    e.true(all(x['Status'] == 'passing' for x in passing_state or []), 'state passing')
    put_ok('/v1/agent/service/deregister/%s-1' % svc)
    put_ok('/v1/agent/service/deregister/%s-2' % svc)
    e.eq(c.health.service(svc)[1], [], 'no instances after deregister')


@test
def health_blocking_on_check_change(e):
    svc = uniq('py-hblock')
    c.agent.service.register(svc, port=1, check=consul.Check.ttl('10s'))
    index, _ = c.health.service(svc, passing=True)
    t = threading.Timer(0.3, lambda: put_ok('/v1/agent/check/pass/service:%s' % svc))
    t.start()
    new_index, passing = c.health.service(svc, index=index, wait='5s', passing=True)
    t.join()
    e.eq(len(passing or []), 1, 'blocking health query sees the check pass')
    e.true(int(new_index) > int(index), 'index grew', [index, new_index])
    put_ok('/v1/agent/service/deregister/%s' % svc)


@test
def health_http_check_run_by_catalog(e):
    target = CheckTarget()
    try:
        svc = uniq('py-http')
        url = 'http://127.0.0.1:%d/health' % target.port
        e.eq(c.agent.service.register(svc, port=target.port,
                                      check=consul.Check.http(url, '1s', timeout='1s')),
             True, 'register with an HTTP check')
        cid = 'service:%s' % svc
        chk = c.agent.checks().get(cid, {})
        e.eq(chk.get('Type'), 'http', 'Type http')
        ok = wait_for(lambda: c.health.service(svc, passing=True)[1])
        e.eq(len(ok or []), 1, 'becomes passing once the catalog ran the check')
        out = c.agent.checks().get(cid, {}).get('Output', '')
        e.eq(out, 'HTTP GET %s: 200 OK Output: status 200' % url, 'Output')
        target.code = 429
        warn = wait_for(lambda: c.agent.checks().get(cid, {}).get('Status') == 'warning')
        e.true(warn, '429 -> warning', c.agent.checks().get(cid))
        target.code = 503
        crit = wait_for(lambda: c.agent.checks().get(cid, {}).get('Status') == 'critical')
        e.true(crit, '503 -> critical', c.agent.checks().get(cid))
        e.eq(c.health.service(svc, passing=True)[1], [], 'critical is not passing')
        put_ok('/v1/agent/service/deregister/%s' % svc)
    finally:
        target.close()


@test
def health_tcp_check_run_by_catalog(e):
    listener = socket.socket()
    listener.bind(('127.0.0.1', 0))
    listener.listen(16)
    port = listener.getsockname()[1]
    try:
        svc = uniq('py-tcp')
        e.eq(c.agent.service.register(svc, port=port,
                                      check=consul.Check.tcp('127.0.0.1', port, '1s', '1s')),
             True, 'register with a TCP check')
        cid = 'service:%s' % svc
        ok = wait_for(lambda: c.agent.checks().get(cid, {}).get('Status') == 'passing')
        e.true(ok, 'TCP check passes', c.agent.checks().get(cid))
        e.eq(c.agent.checks().get(cid, {}).get('Output'),
             'TCP connect 127.0.0.1:%d: Success' % port, 'Output')
        listener.close()
        bad = wait_for(lambda: c.agent.checks().get(cid, {}).get('Status') == 'critical')
        e.true(bad, 'TCP check goes critical when the port closes', c.agent.checks().get(cid))
        put_ok('/v1/agent/service/deregister/%s' % svc)
    finally:
        listener.close()


@test
def health_deregister_critical_service_after(e):
    dead = socket.socket()
    dead.bind(('127.0.0.1', 0))
    port = dead.getsockname()[1]
    dead.close()  # nothing listens there: the check is critical
    svc = uniq('py-reap')
    after = '%dms' % max(1, int(DEREGISTER_MIN_S * 1000))
    e.eq(c.agent.service.register(
        svc, port=port,
        check=consul.Check.tcp('127.0.0.1', port, '1s', '1s', deregister=after)),
        True, 'register with DeregisterCriticalServiceAfter')
    limit = DEREGISTER_MIN_S + REAP_INTERVAL_S + 4
    gone = wait_for(lambda: svc not in c.agent.services(), timeout=limit)
    e.true(gone, 'a service critical for longer than %s is removed (<%.1fs)' % (after, limit))
    e.eq(c.health.service(svc)[1], [], 'gone from health too')
    put_ok('/v1/agent/service/deregister/%s' % svc)


def main():
    global NODE
    ready = wait_for(lambda: _leader(), timeout=10)
    if not ready:
        print(json.dumps({'test': 'connect', 'ok': False, 'failures': [],
                          'error': 'no leader at %s' % ADDR}))
        return 1
    NODE = c.agent.self()['Config']['NodeName']
    only = set(sys.argv[1:])
    failed = 0
    for fn in TESTS:
        if only and fn.__name__ not in only:
            continue
        e = Expect()
        error = None
        start = time.time()
        try:
            fn(e)
        except Exception:  # noqa: BLE001 - an unexpected exception fails the test
            error = traceback.format_exc(limit=3)
        ok = error is None and not e.failures
        failed += 0 if ok else 1
        print(json.dumps({'test': fn.__name__, 'ok': ok, 'failures': e.failures,
                          'error': error, 'seconds': round(time.time() - start, 2)}),
              flush=True)
    return 1 if failed else 0


def _leader():
    try:
        return c.status.leader()
    except Exception:  # noqa: BLE001 - not up yet
        return ''


if __name__ == '__main__':
    sys.exit(main())
