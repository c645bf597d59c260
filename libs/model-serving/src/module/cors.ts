import { encodeErrorBody } from '../tf-serving/rest/json/predict-response.js';

/** The headers TF Serving's `--rest_api_enable_cors_support` adds to every REST answer. */
export const CORS_HEADERS: Readonly<Record<string, string>> = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Methods': 'POST, GET',
  'Access-Control-Allow-Headers': 'Content-Type',
};

/**
 * TF Serving's answer to a CORS preflight (`tensorflow_serving/model_servers/http_server.cc`):
 * 200 with an empty body when the `Origin` header names an http(s) origin, else 400.
 */
export function preflightAnswer(origin: unknown): { status: number; body: string } {
  if (typeof origin === 'string' && /https?:\/\//.test(origin)) return { status: 200, body: '' };
  return { status: 400, body: encodeErrorBody('Origin header is missing in CORS preflight') };
}
