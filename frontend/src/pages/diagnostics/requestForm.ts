/**
 * The request simulator's form: its state, a pasted curl command turned into that state,
 * and the state turned into the API's `SimulateBody`. The server parses curl too
 * (`curl` field); parsing here lets the user see and edit what the command means first.
 */

export interface Pair {
  name: string;
  value: string;
}

export interface RequestForm {
  method: string;
  scheme: 'http' | 'https';
  host: string;
  port: string;
  path: string;
  headers: Pair[];
  query: Pair[];
  protocol: 'http' | 'grpc';
  /** `namespace/name` of the one Gateway to ask; empty: every Gateway of the cluster. */
  gateway: string;
}

export const EMPTY_REQUEST: RequestForm = { method: 'GET', scheme: 'http', host: '', port: '', path: '/', headers: [], query: [], protocol: 'http', gateway: '' };

/** Words of a shell command line: quotes, backslash escapes and line continuations. */
export function shellWords(text: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text.charAt(i);
    if (quote === "'") {
      if (c === "'") quote = null;
      else word += c;
      continue;
    }
    if (quote === '"') {
      if (c === '"') quote = null;
      else if (c === '\\' && i + 1 < text.length && '"\\$`\n'.includes(text.charAt(i + 1))) word += text.charAt(++i);
      else word += c;
      continue;
    }
    if (c === '\\') {
      const next = text.charAt(i + 1);
      i++;
      if (next === '\n' || next === '\r') {
        if (next === '\r' && text.charAt(i + 1) === '\n') i++;
        continue; // line continuation
      }
      word += next;
      inWord = true;
    } else if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (quote !== null) throw new Error(`unclosed ${quote} quote`);
  if (inWord) words.push(word);
  return words;
}

/** curl options that take a value and mean nothing for routing (skipped with their value). */
const VALUE_OPTIONS = new Set([
  '-o', '--output', '-w', '--write-out', '-m', '--max-time', '--connect-timeout', '--cacert', '--cert', '--key',
  '-x', '--proxy', '--retry', '-T', '--upload-file', '-F', '--form', '--resolve', '--connect-to', '-c', '--cookie-jar',
]);
const DATA_OPTIONS = new Set(['-d', '--data', '--data-raw', '--data-binary', '--data-urlencode', '--json']);

/** The form a curl command describes (Error with a readable message if it cannot). */
export function curlToForm(command: string): RequestForm {
  const words = shellWords(command.trim());
  if (words[0] !== 'curl') throw new Error('the command must start with curl');
  let method: string | null = null;
  let url: string | null = null;
  let hasData = false;
  let head = false;
  const headers: Pair[] = [];
  const addHeader = (raw: string) => {
    const colon = raw.indexOf(':');
    if (colon <= 0) throw new Error(`bad header "${raw}": expected "Name: value"`);
    headers.push({ name: raw.slice(0, colon).trim(), value: raw.slice(colon + 1).trim() });
  };
  for (let i = 1; i < words.length; i++) {
    const word = words[i] ?? '';
    const value = () => {
      const next = words[++i];
      if (next === undefined) throw new Error(`${word} needs a value`);
      return next;
    };
    if (word === '-X' || word === '--request') method = value().toUpperCase();
    else if (word.startsWith('-X') && word.length > 2) method = word.slice(2).toUpperCase();
    else if (word === '-H' || word === '--header') addHeader(value());
    else if (word === '-A' || word === '--user-agent') headers.push({ name: 'User-Agent', value: value() });
    else if (word === '-e' || word === '--referer') headers.push({ name: 'Referer', value: value() });
    else if (word === '-b' || word === '--cookie') headers.push({ name: 'Cookie', value: value() });
    else if (word === '-I' || word === '--head') head = true;
    else if (word === '--url') url = value();
    else if (DATA_OPTIONS.has(word)) {
      value();
      hasData = true;
    } else if (VALUE_OPTIONS.has(word)) value();
    else if (word.startsWith('-')) continue; // flags such as -s, -v, -k, -L, --compressed
    else if (url === null) url = word;
    else throw new Error(`more than one URL ("${url}" and "${word}")`);
  }
  if (url === null) throw new Error('no URL in the curl command');
  const parsed = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(url) ? url : `http://${url}`);
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error(`unsupported scheme ${parsed.protocol}`);
  const hostHeader = headers.find((h) => h.name.toLowerCase() === 'host');
  const query: Pair[] = [...parsed.searchParams.entries()].map(([name, value]) => ({ name, value }));
  const grpc = headers.some((h) => h.name.toLowerCase() === 'content-type' && h.value.startsWith('application/grpc'));
  return {
    method: method ?? (head ? 'HEAD' : hasData ? 'POST' : 'GET'),
    scheme: parsed.protocol === 'https:' ? 'https' : 'http',
    host: hostHeader?.value.replace(/:\d+$/, '') ?? parsed.hostname,
    port: parsed.port,
    path: decodeURI(parsed.pathname) || '/',
    headers: headers.filter((h) => h !== hostHeader),
    query,
    protocol: grpc ? 'grpc' : 'http',
    gateway: '',
  };
}

/** Field-level problems of the form (empty: it can be sent). */
export function formErrors(form: RequestForm): Partial<Record<'host' | 'path' | 'port' | 'method', string>> {
  const errors: Partial<Record<'host' | 'path' | 'port' | 'method', string>> = {};
  if (!form.host.trim()) errors.host = 'A host is required (the Host header the gateway sees).';
  else if (/[\s/]/.test(form.host.trim())) errors.host = 'A host name only, without scheme or path.';
  if (!form.path.startsWith('/')) errors.path = 'The path starts with "/".';
  if (form.port.trim()) {
    const port = Number(form.port);
    if (!Number.isInteger(port) || port < 1 || port > 65535) errors.port = '1–65535';
  }
  if (!/^[A-Za-z]+$/.test(form.method)) errors.method = 'Letters only (GET, POST, …).';
  return errors;
}

/** The API's request body: empty header/query names dropped, repeated query keys kept. */
export function formToBody(form: RequestForm) {
  const headers: Record<string, string> = {};
  for (const h of form.headers) if (h.name.trim()) headers[h.name.trim()] = h.value;
  const query: Record<string, string[]> = {};
  for (const q of form.query) if (q.name.trim()) (query[q.name.trim()] ??= []).push(q.value);
  return {
    method: form.method.toUpperCase(),
    scheme: form.scheme,
    host: form.host.trim(),
    ...(form.port.trim() ? { port: Number(form.port) } : {}),
    path: form.path,
    headers,
    query,
    protocol: form.protocol,
    ...(form.gateway ? { gateway: form.gateway } : {}),
  };
}
