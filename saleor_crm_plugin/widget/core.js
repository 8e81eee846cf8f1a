/*
 * Saleor CRM storefront widget: Rewards (loyalty) and Help (the shopper's support requests).
 * One tag on any storefront page:
 *
 *   <script src="https://STORE/plugins/global/saleor.crm/widget.js" async
 *           data-endpoint="(optional) GraphQL URL, e.g. your federation gateway; default: the plugin's API"
 *           data-checkout-id="(optional) the shopper's checkout ID"
 *           data-sign-in-url="(optional) your sign-in page, linked from the guest prompts"
 *           data-theme="(optional) light or dark; default: the shopper's system setting"></script>
 *
 * Signed-in shoppers: set `window.SaleorCRM = { getToken: () => accessToken }` (or `data-token`) with
 * the shopper's Saleor access token. `window.SaleorCRM` may also carry `endpoint`, `checkoutId`,
 * `signInUrl` and `theme`; the script tag's attribute wins. A page URL with `#crm-ticket=T-42` (or
 * `?crm_ticket=T-42`) opens that request in the Help tab.
 *
 * Served as one script (views.py joins these files in one function scope): nothing leaks into the
 * storefront's globals, and every text from the API goes in through textContent, never as HTML.
 */
var script = document.currentScript;
var config = window.SaleorCRM || {};

function option(attribute, key) {
  return script.getAttribute("data-" + attribute) || config[key] || null;
}

var api = option("endpoint", "endpoint") || script.src.replace(/widget\.js(\?.*)?$/, "graphql/");

function token() {
  if (typeof config.getToken === "function") return Promise.resolve(config.getToken());
  return Promise.resolve(config.token || script.getAttribute("data-token") || null);
}

// A network failure, a refused cross-origin call or a proxy's error page is no GraphQL answer:
// the shopper reads this instead of the browser's words.
var UNREACHABLE = "The store could not be reached. Please try again.";

function call(query, variables) {
  return token().then(function (jwt) {
    var headers = { "Content-Type": "application/json" };
    if (jwt) headers.Authorization = "Bearer " + jwt;
    var body = JSON.stringify({ query: query, variables: variables || {} });
    return fetch(api, { method: "POST", headers: headers, body: body }).then(function (response) { return response.json(); })
      .catch(function () { throw new Error(UNREACHABLE); });
  }).then(function (body) {
    if (body.errors && body.errors.length) throw new Error(body.errors[0].message);
    return body.data;
  });
}

// A mutation's own refusal (`errors { field code message }`) as a rejected promise, like a transport error.
function mutate(query, variables, name) {
  return call(query, variables).then(function (data) {
    var result = data[name];
    if (result.errors.length) throw new Error(result.errors[0].message);
    return result;
  });
}

function points(count) {
  return Number(count).toLocaleString() + (Number(count) === 1 ? " point" : " points");
}

function money(value) {
  try {
    return new Intl.NumberFormat(undefined, { style: "currency", currency: value.currency }).format(value.amount);
  } catch (e) {
    return value.amount + " " + value.currency;
  }
}

function day(iso) {
  return new Date(iso).toLocaleDateString(undefined, { year: "numeric", month: "short", day: "numeric" });
}

function moment(iso) {
  return new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

// An element from attributes and children: `text` sets textContent, `on<event>` adds a listener,
// true sets an empty (boolean) attribute and false/null leaves it out.
function el(tag, attrs, children) {
  var node = document.createElement(tag);
  Object.keys(attrs || {}).forEach(function (key) {
    var value = attrs[key];
    if (value === false || value === null || value === undefined) return;
    if (key === "text") node.textContent = value;
    else if (key.slice(0, 2) === "on") node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : value);
  });
  (children || []).forEach(function (child) { if (child) node.appendChild(child); });
  return node;
}

// The guest prompt of both tabs: a sentence, and the store's sign-in page when the tag names one.
function signInPrompt(title, sentence) {
  var url = option("sign-in-url", "signInUrl");
  return el("div", { class: "guest", "data-testid": "crm-sign-in" }, [
    el("h2", { text: title }),
    el("p", { class: "muted", text: sentence }),
    url ? el("a", { class: "button", href: url, text: "Sign in" }) : null,
  ]);
}

var STYLE = ":host{all:initial;font-family:system-ui,sans-serif;--bg:#fff;--fg:#111;--muted:#6b7280;--line:#e5e7eb;" +
  "--accent:#047857;--accent-fg:#fff;--soft:#ecfdf5;--launcher:#1f2937;--error:#b91c1c;--focus:#2563eb;--field:#fff;" +
  "--staff:#f3f4f6;--mine:#ecfdf5}" +
  ":host([data-theme=dark]){--bg:#111827;--fg:#f3f4f6;--muted:#9ca3af;--line:#374151;--accent:#10b981;--accent-fg:#052e16;" +
  "--soft:#064e3b;--launcher:#374151;--error:#fca5a5;--focus:#93c5fd;--field:#1f2937;--staff:#1f2937;--mine:#064e3b}" +
  "@media (prefers-color-scheme:dark){:host(:not([data-theme=light])){--bg:#111827;--fg:#f3f4f6;--muted:#9ca3af;" +
  "--line:#374151;--accent:#10b981;--accent-fg:#052e16;--soft:#064e3b;--launcher:#374151;--error:#fca5a5;--focus:#93c5fd;" +
  "--field:#1f2937;--staff:#1f2937;--mine:#064e3b}}" +
  "*{box-sizing:border-box}:focus-visible{outline:2px solid var(--focus);outline-offset:2px}[hidden]{display:none!important}" +
  "[tabindex='-1']:focus{outline:none}" +  // headings and notices take the focus only to guide screen readers
  ".launcher{position:fixed;right:20px;bottom:20px;z-index:2147483000;border:0;border-radius:24px;" +
  "padding:12px 18px;background:var(--launcher);color:#fff;font-size:15px;cursor:pointer;box-shadow:0 4px 14px #0004}" +
  ".panel{position:fixed;right:20px;bottom:76px;z-index:2147483000;width:340px;max-height:72vh;overflow:auto;" +
  "background:var(--bg);color:var(--fg);border-radius:12px;box-shadow:0 8px 30px #0005;padding:0 18px 18px;font-size:14px}" +
  "[role=tablist]{display:flex;gap:4px;position:sticky;top:0;background:var(--bg);padding-top:12px;margin-bottom:12px;" +
  "border-bottom:1px solid var(--line);z-index:1}" +
  "[role=tab]{flex:1;border:0;border-bottom:3px solid transparent;background:none;color:var(--muted);font:600 14px system-ui," +
  "sans-serif;padding:8px 4px;cursor:pointer}[role=tab][aria-selected=true]{color:var(--fg);border-bottom-color:var(--accent)}" +
  "h2{font-size:18px;margin:0 0 6px}h3{font-size:14px;margin:14px 0 6px}.muted{color:var(--muted)}" +
  ".bar{height:8px;background:var(--line);border-radius:4px;overflow:hidden}.bar>i{display:block;height:100%;background:var(--accent)}" +
  "ul{padding-left:18px;margin:4px 0}.reward{display:flex;justify-content:space-between;align-items:center;margin:6px 0}" +
  "button{font:inherit}button.redeem,.button,button.primary{border:0;border-radius:6px;padding:6px 12px;background:var(--accent);" +
  "color:var(--accent-fg);cursor:pointer;text-decoration:none;display:inline-block}" +
  "button.redeem[disabled],button.primary[disabled]{background:var(--line);color:var(--muted);cursor:default}" +
  "button.link{border:0;background:none;color:var(--fg);text-decoration:underline;cursor:pointer;padding:0}" +
  ".back{display:block;margin:0 0 10px}" +
  ".code{margin-top:10px;padding:10px;border:1px dashed var(--accent);border-radius:8px;background:var(--soft)}" +
  ".code b{font-family:monospace;font-size:16px}.error{color:var(--error);margin-top:8px}" +
  ".row{display:flex;justify-content:space-between;align-items:center;gap:8px}" +
  ".tickets{list-style:none;padding:0;margin:8px 0}.tickets li{margin:0 0 6px}" +
  ".ticket{width:100%;text-align:left;border:1px solid var(--line);border-radius:8px;background:var(--bg);color:var(--fg);" +
  "padding:8px 10px;cursor:pointer;display:grid;grid-template-columns:1fr auto;gap:2px 8px}.ticket:hover{border-color:var(--muted)}" +
  ".ticket .subject{font-weight:600;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}.ticket .muted{font-size:12px}" +
  ".ticket>:nth-child(even){justify-self:end}" +
  ".badge{display:inline-block;border-radius:10px;padding:1px 8px;font-size:12px;font-weight:600;background:var(--line);color:var(--fg)}" +
  ".badge.new,.badge.open{background:#dbeafe;color:#1e3a8a}.badge.pending{background:#fef3c7;color:#78350f}" +
  ".badge.solved{background:#d1fae5;color:#065f46}.badge.closed,.badge.on_hold{background:var(--line);color:var(--fg)}" +
  ".thread{list-style:none;padding:0;margin:10px 0}.message{border-radius:8px;padding:8px 10px;margin:0 0 8px;background:var(--staff)}" +
  ".message.mine{background:var(--mine);margin-left:24px}.message .who{font-size:12px;color:var(--muted);margin-bottom:2px}" +
  ".message p{margin:0;white-space:pre-wrap;overflow-wrap:anywhere}" +
  "label{display:block;font-weight:600;margin:10px 0 4px}input[type=text],textarea,select{width:100%;font:inherit;" +
  "color:var(--fg);background:var(--field);border:1px solid var(--line);border-radius:6px;padding:6px 8px}" +
  "textarea{min-height:70px;resize:vertical}textarea[disabled]{opacity:.6}" +
  ".scores{display:flex;gap:6px;border:0;padding:0;margin:6px 0}.scores legend{font-weight:600;margin-bottom:4px;padding:0}" +
  ".scores label{margin:0;font-weight:400;border:1px solid var(--line);border-radius:6px;padding:4px 10px;cursor:pointer}" +
  ".scores input{margin:0 4px 0 0}.scores label:has(input:checked){border-color:var(--accent);background:var(--soft)}" +
  ".actions{margin-top:10px;display:flex;gap:10px;align-items:center}";
