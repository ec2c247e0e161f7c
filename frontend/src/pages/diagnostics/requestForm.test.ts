import { describe, expect, it } from 'vitest';
import { EMPTY_REQUEST, curlToForm, formErrors, formToBody, shellWords } from './requestForm';

describe('shellWords', () => {
  it('splits on blanks and honours quotes, escapes and line continuations', () => {
    expect(shellWords(`curl -H 'x-env: canary' "a b" c\\ d \\\n  -v`)).toEqual(['curl', '-H', 'x-env: canary', 'a b', 'c d', '-v']);
    expect(shellWords(`curl -d "say \\"hi\\""`)).toEqual(['curl', '-d', 'say "hi"']);
  });

  it('refuses an unclosed quote', () => {
    expect(() => shellWords(`curl 'http://x`)).toThrow(/unclosed ' quote/);
  });
});

describe('curlToForm', () => {
  it('reads method, scheme, host, port, path, query and headers', () => {
    const form = curlToForm(`curl -X put -H 'x-env: canary' -H "Accept: */*" 'https://shop.example.com:8443/api/items?page=2&tag=a&tag=b' -sk`);
    expect(form).toEqual({
      method: 'PUT',
      scheme: 'https',
      host: 'shop.example.com',
      port: '8443',
      path: '/api/items',
      headers: [
        { name: 'x-env', value: 'canary' },
        { name: 'Accept', value: '*/*' },
      ],
      query: [
        { name: 'page', value: '2' },
        { name: 'tag', value: 'a' },
        { name: 'tag', value: 'b' },
      ],
      protocol: 'http',
      gateway: '',
    });
  });

  it('takes the Host header over the URL and infers POST from data, HEAD from -I', () => {
    const form = curlToForm('curl -H "Host: cafe.example.com" -d x=1 http://10.0.0.1/tea');
    expect(form.host).toBe('cafe.example.com');
    expect(form.headers).toEqual([]);
    expect(form.method).toBe('POST');
    expect(curlToForm('curl -I example.com').method).toBe('HEAD');
    expect(curlToForm('curl example.com').path).toBe('/');
  });

  it('recognises gRPC by its content type', () => {
    expect(curlToForm("curl -H 'content-type: application/grpc' http://g.example.com/pkg.Svc/Call").protocol).toBe('grpc');
  });

  it('explains what is wrong', () => {
    expect(() => curlToForm('wget http://x')).toThrow(/must start with curl/);
    expect(() => curlToForm('curl -v')).toThrow(/no URL/);
    expect(() => curlToForm('curl -H nocolon http://x')).toThrow(/bad header "nocolon"/);
    expect(() => curlToForm('curl http://a http://b')).toThrow(/more than one URL/);
    expect(() => curlToForm('curl ftp://a/b')).toThrow(/unsupported scheme/);
  });
});

describe('formErrors and formToBody', () => {
  it('names each bad field', () => {
    const errors = formErrors({ ...EMPTY_REQUEST, host: '', path: 'api', port: '70000', method: 'G E' });
    expect(Object.keys(errors).sort()).toEqual(['host', 'method', 'path', 'port']);
    expect(formErrors({ ...EMPTY_REQUEST, host: 'http://x' }).host).toMatch(/without scheme/);
    expect(formErrors({ ...EMPTY_REQUEST, host: 'shop.example.com' })).toEqual({});
  });

  it('drops empty names, groups repeated query keys and leaves the port out when blank', () => {
    const body = formToBody({
      ...EMPTY_REQUEST,
      method: 'get',
      host: ' shop.example.com ',
      headers: [{ name: 'x-env', value: 'canary' }, { name: ' ', value: 'ignored' }],
      query: [{ name: 'tag', value: 'a' }, { name: 'tag', value: 'b' }],
    });
    expect(body).toEqual({ method: 'GET', scheme: 'http', host: 'shop.example.com', path: '/', headers: { 'x-env': 'canary' }, query: { tag: ['a', 'b'] }, protocol: 'http' });
    expect(formToBody({ ...EMPTY_REQUEST, host: 'h', port: '8080' }).port).toBe(8080);
    expect(formToBody({ ...EMPTY_REQUEST, host: 'h', gateway: 'infra/edge' }).gateway).toBe('infra/edge');
    expect('gateway' in formToBody({ ...EMPTY_REQUEST, host: 'h' })).toBe(false);
  });
});
