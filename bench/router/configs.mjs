// Configuration of the native references for bench/router: nginx (backend and proxy, with
// the usual proxy_set_header set) and HAProxy, each with N workers/threads. Files go to `dir`.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

function nginx(dir, name, workers, body) {
  const file = join(dir, `${name}.conf`);
  writeFileSync(
    file,
    `worker_processes ${workers};
daemon off;
master_process on;
pid ${dir}/${name}.pid;
error_log ${dir}/${name}-error.log warn;
events { worker_connections 8192; }
http {
  access_log off;
  keepalive_requests 10000000;
  client_body_temp_path ${dir}/body-${name};
  proxy_temp_path ${dir}/proxy-${name};
  fastcgi_temp_path ${dir}/fcgi-${name};
  uwsgi_temp_path ${dir}/uwsgi-${name};
  scgi_temp_path ${dir}/scgi-${name};
${body}
}
`,
  );
  return ['-p', dir, '-e', join(dir, `${name}-error.log`), '-c', file];
}

/** nginx answering `return 200` (the backend every proxy is measured against). */
export function nginxBackend(dir, port) {
  return nginx(
    dir,
    `backend-${port}`,
    1,
    `  server { listen 127.0.0.1:${port}; location / { return 200 "hello world\\n"; } }`,
  );
}

/** nginx as a reverse proxy with upstream keep-alive. */
export function nginxProxy(dir, port, backendPort, workers) {
  return nginx(
    dir,
    `proxy-${port}`,
    workers,
    `  upstream be { server 127.0.0.1:${backendPort}; keepalive 256; keepalive_requests 10000000; }
  server { listen 127.0.0.1:${port};
    location / {
      proxy_pass http://be;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_set_header X-Real-IP $remote_addr;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
    } }`,
  );
}

/** HAProxy in HTTP mode with server-side keep-alive (`http-reuse always`). */
export function haproxy(dir, port, backendPort, threads) {
  const file = join(dir, `haproxy-${port}.cfg`);
  writeFileSync(
    file,
    `global
  nbthread ${threads}
  maxconn 8000
defaults
  mode http
  timeout connect 5s
  timeout client 60s
  timeout server 60s
  option http-keep-alive
  option forwardfor
  http-reuse always
frontend fe
  bind 127.0.0.1:${port}
  default_backend be
backend be
  server s1 127.0.0.1:${backendPort} maxconn 1000
`,
  );
  return ['-f', file, '-db'];
}
