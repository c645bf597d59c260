/** A response read whole: status, content type, raw text and (when it parses) JSON. */
export interface HttpResult {
  status: number;
  contentType: string | null;
  text: string;
  json: any;
}

function parse(text: string): unknown {
  try {
    // TF Serving writes NaN and Infinity as bare tokens; tests compare those on the text.
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export async function request(
  method: string,
  url: string,
  body?: string,
  headers: Record<string, string> = {},
): Promise<HttpResult> {
  const response = await fetch(url, { method, body, headers });
  const text = await response.text();
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    text,
    json: parse(text),
  };
}

export const get = (url: string) => request('GET', url);

/** POSTs a JSON text; the content type defaults to what `curl -d` sends. */
export const post = (
  url: string,
  body: string,
  contentType = 'application/x-www-form-urlencoded',
) => request('POST', url, body, { 'content-type': contentType });
