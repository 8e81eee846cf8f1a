/* --- Help tab: the signed-in shopper's support requests (tickets): list, thread, reply, open, rate. --- */

// Only CRM root fields (crmMyTickets, crmTicket, crmMyOrders, crmTicket*): the same queries work against
// the plugin's API and a federation gateway. The API never gives shoppers internal notes or staff emails.
var MY_TICKETS = "query($after: String) { crmMyTickets(first: 20, after: $after) { pageInfo { hasNextPage endCursor } " +
  "edges { node { id reference subject status lastMessageAt } } } }";
var TICKET = "query($id: ID!) { crmTicket(id: $id) { id reference subject status lastMessageAt " +
  "mergedInto { reference } order { number placedAt total { amount currency } } rating { score comment } " +
  "messages { authorKind authorName body attachments createdAt } } }";
var MY_ORDERS = "{ crmMyOrders(first: 20) { edges { node { number placedAt total { amount currency } order { id } } } } }";
var OPEN_TICKET = "mutation($input: CrmTicketCreateInput!) { crmTicketCreate(input: $input) { " +
  "ticket { reference } errors { field code message } } }";
var REPLY = "mutation($id: ID!, $message: String!) { crmTicketReply(id: $id, input: { message: $message }) { " +
  "ticket { status } errors { field code message } } }";
var RATE = "mutation($id: ID!, $score: Int!, $comment: String) { crmTicketRate(id: $id, score: $score, comment: $comment) { " +
  "rating { score } errors { field code message } } }";

var STATUS = {
  NEW: "Received", OPEN: "Open", PENDING: "Waiting for you", ON_HOLD: "On hold", SOLVED: "Solved", CLOSED: "Closed",
};
var SCORES = ["Very bad", "Bad", "OK", "Good", "Great"];

// A reference the shopper sees (T-42) names the ticket's ID; anything else is simply not found.
function ticketId(reference) {
  var match = /^T-(\d{1,18})$/.exec(reference);
  return match ? btoa("CrmTicket:" + match[1]) : null;
}

function badge(status) {
  return el("span", { class: "badge " + status.toLowerCase(), "data-testid": "help-status", text: STATUS[status] || status });
}

function helpTab(panel) {
  // view: "list" | "ticket" | "new" | "missing"; `focus` names the element to focus after the next render.
  var state = { view: "list", signedIn: null, tickets: null, more: null, ticket: null, orders: null, error: null, focus: null,
    busy: false };

  function show(view, changes) {
    Object.keys(changes || {}).forEach(function (key) { state[key] = changes[key]; });
    state.view = view;
    render();
  }

  function fail(error) {
    state.busy = false;
    state.error = error.message;
    state.focus = "help-error";
    render();
  }

  // The newest page of the shopper's tickets, or with `after` the next one added below.
  function list(after) {
    return token().then(function (jwt) {
      state.signedIn = !!jwt;
      if (!jwt) return render();
      return call(MY_TICKETS, { after: after || null }).then(function (data) {
        var page = data.crmMyTickets, rows = page.edges.map(function (edge) { return edge.node; });
        show("list", { tickets: after ? state.tickets.concat(rows) : rows, error: null,
          more: page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null });
      });
    }).catch(fail);
  }

  function open(reference) {
    var id = ticketId(reference);
    return token().then(function (jwt) {
      state.signedIn = !!jwt;
      if (!jwt) return render();
      if (!id) return show("missing", { ticket: null, error: null, focus: "help-heading" });
      return call(TICKET, { id: id }).then(function (data) {
        var ticket = data.crmTicket;  // someone else's ticket answers null, exactly like a missing one
        show(ticket ? "ticket" : "missing", { ticket: ticket, error: null, busy: false, focus: state.focus || "help-heading" });
      });
    }).catch(fail);
  }

  function startNew() {
    show("new", { error: null, orders: state.orders, focus: "help-subject" });
    if (state.orders) return;
    call(MY_ORDERS).then(function (data) {
      state.orders = data.crmMyOrders.edges.map(function (edge) { return edge.node; });
      if (state.view === "new") fillOrders(panel.querySelector("[data-testid=help-order]"));
    }).catch(fail);
  }

  // A form sends once at a time; a refusal shows next to it and keeps what the shopper typed.
  function submit(form, run) {
    var fields = form.querySelectorAll("button, textarea, input, select");
    return function (event) {
      event.preventDefault();
      if (state.busy) return;
      state.busy = true;
      fields.forEach(function (field) { field.setAttribute("disabled", ""); });
      run(form).catch(function (error) {
        state.busy = false;
        fields.forEach(function (field) { field.removeAttribute("disabled"); });
        var box = form.querySelector(".error") ||
          form.appendChild(el("div", { class: "error", role: "alert", tabindex: "-1", "data-testid": "help-error" }));
        box.textContent = error.message;
        box.focus();
      });
    };
  }

  function render() {
    panel.textContent = "";
    if (state.signedIn === false) {
      panel.appendChild(signInPrompt("Need help?", "Sign in to see your support requests and open a new one."));
      return;
    }
    if (state.signedIn === null) { panel.appendChild(el("p", { text: state.error || "Loading\u2026" })); return; }
    panel.appendChild(VIEWS[state.view]());
    if (state.error) panel.appendChild(el("div", { class: "error", role: "alert", tabindex: "-1", "data-testid": "help-error", text: state.error }));
    var target = state.focus && panel.querySelector("[data-testid=" + state.focus + "]");
    state.focus = null;
    if (target) target.focus();
  }

  function heading(text) {
    return el("h2", { tabindex: "-1", "data-testid": "help-heading", text: text });
  }

  function back() {
    return el("button", { class: "link back", "data-testid": "help-back", text: "\u2190 All requests", onclick: function () {
      state.focus = state.ticket ? "ticket-" + state.ticket.reference : "help-new";
      list();
    } });
  }

  function listView() {
    var tickets = state.tickets || [];
    var view = el("div", {}, [
      el("div", { class: "row" }, [heading("Your requests"),
        el("button", { class: "primary", "data-testid": "help-new", text: "Open a request", onclick: startNew })]),
    ]);
    if (!state.tickets) view.appendChild(el("p", { text: "Loading\u2026" }));
    else if (!tickets.length) view.appendChild(el("p", { class: "muted", text: "No requests yet. Questions about an order? Open a request." }));
    view.appendChild(el("ul", { class: "tickets", "data-testid": "help-tickets" }, tickets.map(function (ticket) {
      return el("li", {}, [el("button", { class: "ticket", "data-testid": "ticket-" + ticket.reference, onclick: function () {
        open(ticket.reference);
      } }, [
        el("span", { class: "subject", text: ticket.subject }), badge(ticket.status),
        el("span", { class: "muted", text: ticket.reference }),
        el("span", { class: "muted", text: "Updated " + day(ticket.lastMessageAt) }),
      ])]);
    })));
    if (state.more) {
      var shown = tickets.length;
      view.appendChild(el("button", { class: "link", "data-testid": "help-more", text: "Show older requests", onclick: function () {
        state.focus = "ticket-" + (tickets[shown - 1] || {}).reference;
        list(state.more);
      } }));
    }
    return view;
  }

  function ticketView() {
    var ticket = state.ticket;
    var view = el("div", { "data-testid": "help-ticket" }, [
      back(),
      heading(ticket.subject),
      el("div", { class: "row" }, [el("span", { class: "muted", text: ticket.reference }), badge(ticket.status)]),
      ticket.order ? el("div", { class: "muted", "data-testid": "help-ticket-order", text: "About order #" + ticket.order.number +
        " \u00b7 " + day(ticket.order.placedAt) + " \u00b7 " + money(ticket.order.total) }) : null,
      el("ol", { class: "thread", "aria-label": "Messages" }, ticket.messages.map(messageItem)),
    ]);
    if (ticket.mergedInto) {
      view.appendChild(el("p", { "data-testid": "help-merged" }, [el("span", { text: "This request continues in " }),
        el("button", { class: "link", text: ticket.mergedInto.reference, onclick: function () { open(ticket.mergedInto.reference); } })]));
    }
    if (ticket.status === "SOLVED" || ticket.status === "CLOSED") view.appendChild(ratingBox(ticket));
    view.appendChild(replyBox(ticket));
    return view;
  }

  function messageItem(message) {
    var mine = message.authorKind === "SHOPPER";
    var who = mine ? "You" : message.authorName || (message.authorKind === "STAFF" ? "Support team" : "Store");
    return el("li", { class: "message" + (mine ? " mine" : ""), "data-testid": "help-message" }, [
      el("div", { class: "who", text: who + " \u00b7 " + moment(message.createdAt) }),
      el("p", { text: message.body }),
      message.attachments.length ? el("ul", {}, message.attachments.map(function (url) {
        var safe = /^https?:\/\//i.test(url);  // only web links become links
        return el("li", {}, [safe ? el("a", { href: url, target: "_blank", rel: "noopener noreferrer", text: url }) : el("span", { text: url })]);
      })) : null,
    ]);
  }

  function replyBox(ticket) {
    var closed = ticket.status === "CLOSED";
    var reason = ticket.mergedInto ? "This request was merged; reply in the request it continues in."
      : closed ? "This request is closed, so it takes no more replies. Open a new request if you still need help." : null;
    var hint = !reason && ticket.status === "SOLVED" ? "Not solved after all? A reply opens the request again." : null;
    var form = el("form", { "data-testid": "help-reply" }, [
      el("label", { for: "help-reply-text", text: "Your reply" }),
      el("textarea", { id: "help-reply-text", "data-testid": "help-reply-text", maxlength: "50000", required: true,
        disabled: !!reason, "aria-describedby": reason || hint ? "help-reply-reason" : null }),
      reason || hint ? el("p", { id: "help-reply-reason", class: "muted", "data-testid": "help-reply-reason", text: reason || hint }) : null,
      el("div", { class: "actions" }, [el("button", { class: "primary", type: "submit", "data-testid": "help-send",
        text: "Send reply", disabled: !!reason })]),
    ]);
    form.addEventListener("submit", submit(form, function () {
      var message = form.querySelector("textarea").value;
      return mutate(REPLY, { id: ticket.id, message: message }, "crmTicketReply").then(function () {
        state.focus = "help-reply-text";
        return open(ticket.reference);
      });
    }));
    return form;
  }

  function ratingBox(ticket) {
    if (ticket.rating) {
      return el("p", { class: "code", tabindex: "-1", "data-testid": "help-rated", text: "You rated our help " + ticket.rating.score + "/5. Thank you!" });
    }
    if (ticket.mergedInto) return null;
    var form = el("form", { class: "code", "data-testid": "help-rate" }, [
      el("fieldset", { class: "scores" }, [el("legend", { text: "How did we do? Rate from 1 to 5" })].concat(
        SCORES.map(function (label, index) {
          return el("label", { title: label }, [
            el("input", { type: "radio", name: "score", value: String(index + 1), required: true, "aria-label": (index + 1) + " \u2014 " + label }),
            el("span", { text: String(index + 1) }),
          ]);
        }))),
      el("label", { for: "help-rate-comment", text: "Comment (optional)" }),
      el("textarea", { id: "help-rate-comment", "data-testid": "help-rate-comment", maxlength: "2000" }),
      el("div", { class: "actions" }, [el("button", { class: "primary", type: "submit", "data-testid": "help-rate-send", text: "Send rating" })]),
    ]);
    form.addEventListener("submit", submit(form, function () {
      var score = Number(form.querySelector("input[name=score]:checked").value);
      var comment = form.querySelector("textarea").value;
      return mutate(RATE, { id: ticket.id, score: score, comment: comment }, "crmTicketRate").then(function () {
        state.focus = "help-rated";
        return open(ticket.reference);
      });
    }));
    return form;
  }

  function newView() {
    var form = el("form", { "data-testid": "help-form" }, [
      el("label", { for: "help-subject", text: "Subject" }),
      el("input", { type: "text", id: "help-subject", "data-testid": "help-subject", maxlength: "255", required: true }),
      el("label", { for: "help-order", text: "About an order (optional)" }),
      fillOrders(el("select", { id: "help-order", "data-testid": "help-order" })),
      el("label", { for: "help-message", text: "How can we help?" }),
      el("textarea", { id: "help-message", "data-testid": "help-message", maxlength: "50000", required: true }),
      el("div", { class: "actions" }, [
        el("button", { class: "primary", type: "submit", "data-testid": "help-submit", text: "Send request" }),
        el("button", { class: "link", type: "button", text: "Cancel", onclick: function () { state.focus = "help-new"; list(); } }),
      ]),
    ]);
    form.addEventListener("submit", submit(form, function () {
      var input = { subject: form.querySelector("#help-subject").value, message: form.querySelector("#help-message").value };
      var order = form.querySelector("#help-order").value;
      if (order) input.order = order;
      return mutate(OPEN_TICKET, { input: input }, "crmTicketCreate").then(function (result) {
        state.tickets = null;
        return open(result.ticket.reference);
      });
    }));
    return el("div", {}, [back(), heading("Open a request"), form]);
  }

  // The shopper's own orders only (crmMyOrders): "#1001 · Mar 3, 2025 · $49.00".
  function fillOrders(select) {
    if (!select) return select;
    select.textContent = "";
    select.appendChild(el("option", { value: "", text: state.orders ? "Not about an order" : "Loading your orders\u2026" }));
    (state.orders || []).forEach(function (order) {
      select.appendChild(el("option", { value: order.order.id,
        text: "#" + order.number + " \u00b7 " + day(order.placedAt) + " \u00b7 " + money(order.total) }));
    });
    return select;
  }

  function missingView() {
    return el("div", { "data-testid": "help-missing" }, [back(), heading("Ticket not found"),
      el("p", { class: "muted", text: "There is no request with this reference in your account. Find yours in the list." })]);
  }

  var VIEWS = { list: listView, ticket: ticketView, new: newView, missing: missingView };
  return { list: list, open: open };
}
