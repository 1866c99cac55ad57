// A tiny cookie jar for one origin, so that Better Auth's client behaves in
// Node as it does in a browser: Node's fetch keeps no cookies, and the
// client's `credentials: "include"` means nothing there.
//
// It knows just what a same-origin front end needs: cookies are keyed by
// name (one host, Path=/), dropped when Max-Age ≤ 0 or Expires has passed,
// and sent back on every request. Unsafe requests carry the page's Origin,
// as a browser sends it, so the server's cross-origin protection sees a
// same-origin call.

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export class CookieJar {
  /** @type {Map<string, {value: string, expires: number, attributes: Record<string, string|true>}>} */
  #cookies = new Map();

  /**
   * fetch has the signature of the global fetch and is what the client is
   * given as `fetchOptions.customFetchImpl`.
   * @param {string | URL} input
   * @param {RequestInit} [init]
   */
  fetch = async (input, init = {}) => {
    const url = new URL(input);
    const headers = new Headers(init.headers);
    const cookie = this.header();
    if (cookie) headers.set("cookie", cookie);
    const method = (init.method ?? "GET").toUpperCase();
    if (!SAFE_METHODS.has(method) && !headers.has("origin")) headers.set("origin", url.origin);

    const response = await fetch(url, { ...init, headers });
    for (const line of response.headers.getSetCookie()) this.store(line);
    return response;
  };

  /** header returns the Cookie header value for the cookies still alive. */
  header() {
    const now = Date.now();
    const pairs = [];
    for (const [name, c] of this.#cookies) {
      if (c.expires <= now) {
        this.#cookies.delete(name);
        continue;
      }
      pairs.push(`${name}=${c.value}`);
    }
    return pairs.join("; ");
  }

  /** get returns the live cookie called name, with its attributes, or undefined. */
  get(name) {
    const c = this.#cookies.get(name);
    if (!c || c.expires <= Date.now()) return undefined;
    return c;
  }

  /** set stores a cookie as if the server had set it (to replay a value). */
  set(name, value) {
    this.#cookies.set(name, { value, expires: Infinity, attributes: {} });
  }

  /** store applies one Set-Cookie header line. */
  store(line) {
    const [pair, ...rest] = line.split(";");
    const eq = pair.indexOf("=");
    if (eq <= 0) return;
    const name = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();

    const attributes = {};
    let expires = Infinity;
    for (const part of rest) {
      const i = part.indexOf("=");
      const key = (i < 0 ? part : part.slice(0, i)).trim().toLowerCase();
      const val = i < 0 ? true : part.slice(i + 1).trim();
      if (!key) continue;
      attributes[key] = val;
    }
    // Max-Age wins over Expires (RFC 6265 §5.3).
    if (typeof attributes["max-age"] === "string") {
      expires = Date.now() + Number(attributes["max-age"]) * 1000;
    } else if (typeof attributes.expires === "string") {
      expires = Date.parse(attributes.expires);
    }
    if (value === "" || !(expires > Date.now())) {
      this.#cookies.delete(name);
      return;
    }
    this.#cookies.set(name, { value, expires, attributes });
  }
}
