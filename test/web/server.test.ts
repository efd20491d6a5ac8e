import { describe, expect, it } from 'vitest';
import { buildServer } from '../../src/web/server.ts';

describe('buildServer', () => {
  it('registers every route registrar it is given, with form bodies parsed', async () => {
    const app = await buildServer({
      routes: [
        (a) => {
          a.post<{ Body: { name: string } }>('/hello', async (request) => `hello ${request.body.name}`);
        },
        async (a) => {
          a.get('/ping', async () => 'pong');
        },
      ],
    });
    const hello = await app.inject({
      method: 'POST',
      url: '/hello',
      payload: 'name=Ann',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(hello.body).toBe('hello Ann');
    expect((await app.inject({ method: 'GET', url: '/ping' })).body).toBe('pong');
    await app.close();
  });
});
