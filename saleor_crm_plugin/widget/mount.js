/* --- Mounting: a launcher and a panel with tabs, in a shadow root the storefront's CSS can't reach. --- */

// The ticket a link points at: `#crm-ticket=T-42` or `?crm_ticket=T-42` (e.g. from an email or an order page).
function linkedTicket() {
  var found = /(?:^#|&)crm-ticket=([^&]*)/.exec(location.hash) || /[?&]crm_ticket=([^&]*)/.exec(location.search);
  if (!found) return null;
  try {
    return decodeURIComponent(found[1]).trim().toUpperCase().slice(0, 40);
  } catch (e) {
    return "";  // a mangled link: not found, like any unknown reference
  }
}

// WAI-ARIA tabs: one tab stop, arrow keys (and Home/End) move between tabs and select them.
function tabList(items, onSelect) {
  var list = el("div", { role: "tablist", "aria-label": "Rewards and help" });
  var buttons = items.map(function (item) {
    var button = el("button", { role: "tab", id: "crm-tab-" + item.key, "aria-controls": "crm-panel-" + item.key,
      "data-testid": "crm-tab-" + item.key, text: item.label, onclick: function () { select(item.key); } });
    item.panel.setAttribute("role", "tabpanel");
    item.panel.setAttribute("id", "crm-panel-" + item.key);
    item.panel.setAttribute("aria-labelledby", "crm-tab-" + item.key);
    list.appendChild(button);
    return button;
  });
  list.addEventListener("keydown", function (event) {
    var at = buttons.indexOf(event.target);
    var to = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: buttons.length - 1 }[event.key];
    if (at < 0 || to === undefined) return;
    event.preventDefault();
    to = (to + buttons.length) % buttons.length;
    select(items[to].key);
    buttons[to].focus();
  });

  function select(key) {
    items.forEach(function (item, index) {
      var chosen = item.key === key;
      buttons[index].setAttribute("aria-selected", String(chosen));
      buttons[index].setAttribute("tabindex", chosen ? "0" : "-1");
      if (chosen) item.panel.removeAttribute("hidden"); else item.panel.setAttribute("hidden", "");
    });
    onSelect(key);
  }

  return { node: list, select: select };
}

function mount() {
  var host = el("div", { id: "saleor-crm-loyalty", "data-theme": option("theme", "theme") });
  document.body.appendChild(host);
  var root = host.attachShadow ? host.attachShadow({ mode: "open" }) : host;
  root.appendChild(el("style", { text: STYLE }));
  var launcher = el("button", { class: "launcher", "data-testid": "loyalty-launcher", "aria-expanded": "false",
    "aria-controls": "crm-widget", text: "\u2605 Rewards" });
  var panel = el("div", { class: "panel", id: "crm-widget", role: "dialog", "aria-label": "Rewards and help",
    "data-testid": "crm-widget", hidden: true });
  var rewardsPanel = el("div", { "data-testid": "loyalty-panel", tabindex: "0" });
  var helpPanel = el("div", { "data-testid": "help-panel", tabindex: "0" });
  root.appendChild(launcher);
  root.appendChild(panel);

  var rewards = rewardsTab(rewardsPanel, launcher);
  var help = helpTab(helpPanel);
  var helpLoaded = false;
  var tabs = tabList([
    { key: "rewards", label: "Rewards", panel: rewardsPanel },
    { key: "help", label: "Help", panel: helpPanel },
  ], function (key) {
    if (key === "help" && !helpLoaded) { helpLoaded = true; help.list(); }
  });
  panel.appendChild(tabs.node);
  panel.appendChild(rewardsPanel);
  panel.appendChild(helpPanel);
  tabs.select("rewards");

  function setOpen(open) {
    if (open) panel.removeAttribute("hidden"); else panel.setAttribute("hidden", "");
    launcher.setAttribute("aria-expanded", String(open));
  }

  launcher.addEventListener("click", function () { setOpen(panel.hasAttribute("hidden")); });
  panel.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { setOpen(false); launcher.focus(); }
  });

  function followLink() {
    var reference = linkedTicket();
    if (reference === null) return;
    setOpen(true);
    helpLoaded = true;
    tabs.select("help");
    help.open(reference);
  }

  window.addEventListener("hashchange", followLink);
  rewards.refresh();
  followLink();
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", mount); else mount();
