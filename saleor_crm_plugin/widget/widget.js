/*
 * Saleor CRM loyalty widget. One tag on any storefront page:
 *
 *   <script src="https://STORE/plugins/global/saleor.crm/widget.js" async
 *           data-checkout-id="(optional) the shopper's checkout ID"></script>
 *
 * Signed-in shoppers: set `window.SaleorCRM = { getToken: () => accessToken }` (or `data-token`)
 * with the shopper's Saleor access token; without a token the widget shows the program.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  var api = script.src.replace(/widget\.js(\?.*)?$/, "graphql/");
  var config = window.SaleorCRM || {};

  var PROGRAM = "{ loyaltyProgram { earnRates { channel pointsPerUnit } minRedeemPoints pointsPerUnitRedeemed " +
    "waysToEarn tierBasis tierWindowDays tiers { name threshold multiplier perk } " +
    "rewards { id name pointsCost channel value { amount currency } } } }";
  // A signed-in shopper sees the rewards of their own channel (the checkout's, else their last order's)
  // and the codes they were issued; tiers count a rolling window, so progress says which points count.
  var ACCOUNT = "query($checkoutId: ID) { loyaltyAccount { available pending expiringPoints expiringAt " +
    "tier { current { name } next { name } qualifying remaining progress } " +
    "rewards(checkoutId: $checkoutId) { id name pointsCost value { amount currency } } " +
    "codes(first: 5) { edges { node { code value { amount currency } checkoutId createdAt } } } } }";
  var REDEEM = "mutation($rewardId: ID, $points: Int, $checkoutId: ID) { loyaltyRedeem(rewardId: $rewardId, " +
    "points: $points, checkoutId: $checkoutId) { redemption { code value { amount currency } checkoutId } " +
    "account { available } errors { code message } } }";

  function token() {
    if (typeof config.getToken === "function") return Promise.resolve(config.getToken());
    return Promise.resolve(config.token || script.getAttribute("data-token") || null);
  }

  function call(query, variables) {
    return token().then(function (jwt) {
      var headers = { "Content-Type": "application/json" };
      if (jwt) headers.Authorization = "Bearer " + jwt;
      return fetch(api, { method: "POST", headers: headers, body: JSON.stringify({ query: query, variables: variables || {} }) });
    }).then(function (response) { return response.json(); }).then(function (body) {
      if (body.errors && body.errors.length) throw new Error(body.errors[0].message);
      return body.data;
    });
  }

  function points(count) {
    return Number(count).toLocaleString() + (Number(count) === 1 ? " point" : " points");
  }

  function checkoutId() {
    return script.getAttribute("data-checkout-id") || config.checkoutId || null;
  }

  function money(value) {
    try {
      return new Intl.NumberFormat(undefined, { style: "currency", currency: value.currency }).format(value.amount);
    } catch (e) {
      return value.amount + " " + value.currency;
    }
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === "text") node.textContent = attrs[key];
      else if (key === "onclick") node.addEventListener("click", attrs[key]);
      else node.setAttribute(key, attrs[key]);
    });
    (children || []).forEach(function (child) { if (child) node.appendChild(child); });
    return node;
  }

  var STYLE = ":host{all:initial;font-family:system-ui,sans-serif}" +
    ".launcher{position:fixed;right:20px;bottom:20px;z-index:2147483000;border:0;border-radius:24px;" +
    "padding:12px 18px;background:#1f2937;color:#fff;font-size:15px;cursor:pointer;box-shadow:0 4px 14px #0004}" +
    ".panel{position:fixed;right:20px;bottom:76px;z-index:2147483000;width:320px;max-height:70vh;overflow:auto;" +
    "background:#fff;color:#111;border-radius:12px;box-shadow:0 8px 30px #0005;padding:18px;font-size:14px}" +
    "h2{font-size:18px;margin:0 0 6px}h3{font-size:14px;margin:14px 0 6px}.muted{color:#6b7280}" +
    ".bar{height:8px;background:#e5e7eb;border-radius:4px;overflow:hidden}.bar>i{display:block;height:100%;background:#10b981}" +
    "ul{padding-left:18px;margin:4px 0}.reward{display:flex;justify-content:space-between;align-items:center;margin:6px 0}" +
    "button.redeem{border:0;border-radius:6px;padding:6px 10px;background:#10b981;color:#fff;cursor:pointer}" +
    "button.redeem[disabled]{background:#d1d5db;cursor:default}.code{margin-top:10px;padding:10px;border:1px dashed #10b981;" +
    "border-radius:8px;background:#ecfdf5}.code b{font-family:monospace;font-size:16px}.error{color:#b91c1c;margin-top:8px}";

  function mount() {
    var host = el("div", { id: "saleor-crm-loyalty" });
    document.body.appendChild(host);
    var root = host.attachShadow ? host.attachShadow({ mode: "open" }) : host;
    root.appendChild(el("style", { text: STYLE }));
    var launcher = el("button", { class: "launcher", "data-testid": "loyalty-launcher", text: "\u2605 Rewards" });
    var panel = el("div", { class: "panel", "data-testid": "loyalty-panel", hidden: "" });
    root.appendChild(launcher);
    root.appendChild(panel);
    launcher.addEventListener("click", function () {
      if (panel.hasAttribute("hidden")) panel.removeAttribute("hidden"); else panel.setAttribute("hidden", "");
    });
    var state = { program: null, account: null, issued: null, error: null };

    function refresh() {
      return token().then(function (jwt) {
        var account = jwt ? call(ACCOUNT, { checkoutId: checkoutId() }) : Promise.resolve({ loyaltyAccount: null });
        return Promise.all([call(PROGRAM), account]);
      }).then(function (results) {
        state.program = results[0].loyaltyProgram;
        state.account = results[1].loyaltyAccount;
        render();
      }).catch(function (error) { state.error = error.message; render(); });
    }

    function redeem(reward) {
      state.error = null;
      var variables = { rewardId: reward.id, checkoutId: checkoutId() };
      return call(REDEEM, variables).then(function (data) {
        var result = data.loyaltyRedeem;
        if (result.errors.length) { state.error = result.errors[0].message; render(); return; }
        state.issued = result.redemption;
        if (navigator.clipboard) navigator.clipboard.writeText(result.redemption.code).catch(function () {});
        return refresh();
      }).catch(function (error) { state.error = error.message; render(); });
    }

    function render() {
      var program = state.program, account = state.account;
      panel.textContent = "";
      if (!program) { panel.appendChild(el("p", { text: state.error || "Loading\u2026" })); return; }
      if (account) {
        launcher.textContent = "\u2605 " + points(account.available);
        var tier = account.tier;
        panel.appendChild(el("h2", { "data-testid": "loyalty-balance", text: points(account.available) }));
        if (account.pending) panel.appendChild(el("div", { class: "muted", text: points(account.pending) + " pending" }));
        if (account.expiringPoints) panel.appendChild(el("div", { class: "muted", text: points(account.expiringPoints) + " expire soon" }));
        panel.appendChild(el("h3", { text: tier.current ? tier.current.name + " member" : "Member" }));
        var bar = el("div", { class: "bar" }, [el("i", { style: "width:" + Math.round(tier.progress * 100) + "%" })]);
        panel.appendChild(bar);
        panel.appendChild(el("div", { class: "muted", "data-testid": "loyalty-tier-progress", text: tierProgress(program, tier) }));
      } else {
        panel.appendChild(el("h2", { text: "Join our rewards" }));
        panel.appendChild(el("div", { class: "muted", text: "Sign in to earn points on every order." }));
      }
      panel.appendChild(el("h3", { text: "Ways to earn" }));
      panel.appendChild(el("ul", {}, program.waysToEarn.map(function (way) { return el("li", { text: way }); })));
      if (program.tiers.length) {
        panel.appendChild(el("h3", { text: "Tiers" }));
        panel.appendChild(el("ul", {}, program.tiers.map(function (t) {
          return el("li", { text: t.name + " \u2014 from " + counted(program, t.threshold) + ", \u00d7" + t.multiplier + (t.perk ? ", " + t.perk : "") });
        })));
      }
      panel.appendChild(el("h3", { text: "Rewards" }));
      (account ? account.rewards : program.rewards).forEach(function (reward) { panel.appendChild(rewardRow(reward, account)); });
      if (account && !account.rewards.length) panel.appendChild(el("div", { class: "muted", text: "No rewards in your store yet." }));
      if (state.issued) {
        var applied = state.issued.checkoutId ? " \u2014 applied to your checkout" : " \u2014 copied, paste it at checkout";
        panel.appendChild(el("div", { class: "code", "data-testid": "loyalty-code" }, [
          el("span", { text: money(state.issued.value) + " code: " }), el("b", { text: state.issued.code }),
          el("div", { class: "muted", text: applied })]));
      }
      var codes = account ? account.codes.edges.map(function (edge) { return edge.node; }) : [];
      if (codes.length) {
        panel.appendChild(el("h3", { text: "Your codes" }));
        panel.appendChild(el("ul", { "data-testid": "loyalty-codes" }, codes.map(function (code) {
          return el("li", {}, [el("b", { text: code.code }), el("span", { text: " \u00b7 " + money(code.value) + " \u00b7 " +
            new Date(code.createdAt).toLocaleDateString() + (code.checkoutId ? " \u00b7 applied to a checkout" : "") })]);
        })));
      }
      if (state.error) panel.appendChild(el("div", { class: "error", text: state.error }));
    }

    function rewardRow(reward, account) {
      var missing = account ? reward.pointsCost - account.available : null;
      var button = el("button", { class: "redeem", "data-testid": "loyalty-redeem", text: "Redeem" });
      var reason = !account ? "Sign in to redeem" : missing > 0 ? points(missing) + " more needed" : "";
      if (reason) {
        button.setAttribute("disabled", "");
        button.setAttribute("title", reason);
      } else {
        button.addEventListener("click", function () { button.setAttribute("disabled", ""); redeem(reward); });
      }
      return el("div", { class: "reward" }, [
        el("span", {}, [el("span", { text: money(reward.value) + " off \u00b7 " + points(reward.pointsCost) }),
          reason ? el("div", { class: "muted", "data-testid": "loyalty-redeem-reason", text: reason }) : null]),
        button]);
    }

    refresh();
  }

  // What counts toward a tier, in the program's words: points earned (or money spent) in the rolling window.
  function counted(program, amount) {
    var what = program.tierBasis === "spend" ? Number(amount).toLocaleString() + " spent" : points(amount) + " earned";
    return what + " in " + program.tierWindowDays + " days";
  }

  function tierProgress(program, tier) {
    var have = counted(program, tier.qualifying).replace(" in ", " in the last ");
    if (!tier.next) return have + " \u2014 the top tier.";
    return have + " \u2014 " + Number(tier.remaining).toLocaleString() + " more to " + tier.next.name + ".";
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", mount); else mount();
})();
