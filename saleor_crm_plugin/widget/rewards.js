/* --- Rewards tab: the loyalty program, the shopper's balance and tier, redeeming a reward. --- */

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
  "account { available } errors { field code message } } }";

function checkoutId() {
  return option("checkout-id", "checkoutId");
}

function rewardsTab(panel, launcher) {
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
    return mutate(REDEEM, variables, "loyaltyRedeem").then(function (result) {
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
      panel.appendChild(signInPrompt("Join our rewards", "Sign in to earn points on every order."));
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
          day(code.createdAt) + (code.checkoutId ? " \u00b7 applied to a checkout" : "") })]);
      })));
    }
    if (state.error) panel.appendChild(el("div", { class: "error", role: "alert", text: state.error }));
  }

  function rewardRow(reward, account) {
    var missing = account ? reward.pointsCost - account.available : null;
    var reason = !account ? "Sign in to redeem" : missing > 0 ? points(missing) + " more needed" : "";
    var button = el("button", { class: "redeem", "data-testid": "loyalty-redeem", text: "Redeem", disabled: !!reason, title: reason || null });
    if (!reason) button.addEventListener("click", function () { button.setAttribute("disabled", ""); redeem(reward); });
    return el("div", { class: "reward" }, [
      el("span", {}, [el("span", { text: money(reward.value) + " off \u00b7 " + points(reward.pointsCost) }),
        reason ? el("div", { class: "muted", "data-testid": "loyalty-redeem-reason", text: reason }) : null]),
      button]);
  }

  return { refresh: refresh };
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
