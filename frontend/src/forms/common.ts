/** Validation rules shared by the wizards, matching the CRDs' own patterns (crd/common.py). */
import { z } from 'zod';

export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
export const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
export const HOSTNAME = /^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
export const DURATION = /^([0-9]{1,5}(h|m|s|ms)){1,4}$/;

export const objectName = z
  .string()
  .min(1, 'Required')
  .max(253, 'At most 253 characters')
  .regex(DNS_SUBDOMAIN, 'Lower-case letters, digits, "-" and "."; starts and ends with a letter or digit');

export const namespaceName = z
  .string()
  .min(1, 'Required')
  .max(63, 'At most 63 characters')
  .regex(DNS_LABEL, 'Lower-case letters, digits and "-"; starts and ends with a letter or digit');

export const hostname = z
  .string()
  .max(253, 'At most 253 characters')
  .regex(HOSTNAME, 'A DNS name, optionally starting with "*." (e.g. *.example.com)');

export const duration = z.string().regex(DURATION, 'A duration such as 5s, 300s or 1h30m');

/** Optional number from a form input: empty (NaN from valueAsNumber) means unset. */
export const optionalNumber = z.preprocess((v) => (typeof v === 'number' && Number.isNaN(v)) || v === '' || v === null ? undefined : v, z.number().optional());

/** `key=value` pairs, comma- or newline-separated, into a map; invalid text is a validation error. */
export function parseLabels(text: string): Record<string, string> | null {
  const result: Record<string, string> = {};
  for (const part of text.split(/[,\n]/).map((p) => p.trim()).filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq <= 0) return null;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (!/^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(key)) return null;
    if (value.length > 63 || !/^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/.test(value)) return null;
    result[key] = value;
  }
  return result;
}

export const labelsText = z.string().refine((t) => parseLabels(t) !== null, 'Use key=value pairs separated by commas (Kubernetes label syntax)');

/** Drop undefined, empty-string, empty-array and empty-object members so the manifest holds only what was entered. */
export function compact<T>(value: T): T {
  if (Array.isArray(value)) return value.map(compact) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const c = compact(v);
      if (c === undefined || c === '' || (Array.isArray(c) && c.length === 0)) continue;
      if (c && typeof c === 'object' && !Array.isArray(c) && Object.keys(c).length === 0) continue;
      out[k] = c;
    }
    return out as T;
  }
  return value;
}
