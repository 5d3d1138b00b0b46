/* The agents' chat inbox (issue #12): one WebSocket (/ws/chat/agent/) for the queue and all chats.
 * Text goes into the page with textContent only. Reconnects with backoff and resumes each open chat
 * after the last message id shown; lines not confirmed are sent again (stored once per client_id). */
(function () {
  "use strict";
  var S = JSON.parse(document.getElementById("chat-strings").textContent);
  var $ = function (id) { return document.getElementById(id); };
  var wsUrl = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws/chat/agent/";
  var ws = null, attempt = 0, me = null;
  var waiting = {}, active = {}, offers = {};
  var current = null;           // the chat shown
  var lastSeen = {};            // chat id → newest message id shown
  var outbox = [];              // [{chat, client_id, body}]
  var typingTimer = null, lastTyping = 0;
  var conv = $("chat-conversation"), log = $("chat-log");

  function el(tag, cls, text) {
    var n = document.createElement(tag);
    if (cls) n.className = cls;
    if (text !== undefined) n.textContent = text;
    return n;
  }
  function send(frame) { if (ws && ws.readyState === 1) { ws.send(JSON.stringify(frame)); return true; } return false; }
  function uid() { return crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random().toString(16).slice(2); }
  function time(iso) { return new Date(iso).toLocaleTimeString(document.documentElement.lang, { hour: "2-digit", minute: "2-digit" }); }

  function renderLists() {
    var w = $("chat-waiting"); w.textContent = "";
    var ids = Object.keys(waiting).sort(function (a, b) { return (waiting[a].waiting_since || "").localeCompare(waiting[b].waiting_since || ""); });
    ids.forEach(function (id) {
      var c = waiting[id], li = el("li", offers[id] ? "offered" : "");
      var who = el("span"); who.appendChild(el("span", "who", c.customer));
      who.appendChild(el("span", "meta", c.reference + " · " + S.waiting_since.replace("%(time)s", time(c.waiting_since || c.started_at)) + (offers[id] ? " · " + S.offered : "")));
      var b = el("button", "btn btn-sm btn-primary", S.accept); b.type = "button";
      b.onclick = function () { send({ type: "accept", chat: c.id }); };
      li.appendChild(who); li.appendChild(b); w.appendChild(li);
    });
    $("chat-waiting-count").textContent = String(ids.length);
    $("chat-waiting-empty").hidden = ids.length > 0;
    var a = $("chat-active"); a.textContent = "";
    var aids = Object.keys(active);
    aids.forEach(function (id) {
      var c = active[id], li = el("li");
      li.appendChild(el("span", "who", c.customer + " · " + c.reference));
      var b = el("button", "btn btn-sm", S.open); b.type = "button";
      if (current === c.id) b.setAttribute("aria-current", "true");
      b.onclick = function () { show(c); };
      li.appendChild(b); a.appendChild(li);
    });
    $("chat-active-empty").hidden = aids.length > 0;
    document.title = (ids.length ? "(" + ids.length + ") " : "") + document.title.replace(/^\(\d+\) /, "");
  }

  function show(c) {
    if (current !== c.id) { log.textContent = ""; lastSeen[c.id] = 0; }
    current = c.id;
    conv.hidden = false;
    $("chat-title").textContent = c.customer + " · " + c.reference;
    $("chat-ticket-link").href = conv.dataset.ticketUrl.replace("/0/", "/" + c.ticket + "/");
    $("chat-form").hidden = c.state === "ended";
    $("chat-end").hidden = c.state === "ended";
    send({ type: "open", chat: c.id, after: lastSeen[c.id] || 0 });
    renderLists();
    $("chat-text").focus();
  }

  function addLine(m) {
    if (m.chat !== current) return;
    if (m.id <= (lastSeen[m.chat] || 0)) return;
    lastSeen[m.chat] = m.id;
    var box = el("div", "chat-msg " + m.kind);
    box.appendChild(el("span", "who", m.kind === "agent" && active[m.chat] && active[m.chat].agent === me ? S.you : m.author));
    box.appendChild(document.createTextNode(m.body));
    log.appendChild(box);
    log.scrollTop = log.scrollHeight;
  }

  function onState(c) {
    if (c.state === "waiting_agent") { waiting[c.id] = c; } else { delete waiting[c.id]; delete offers[c.id]; }
    if (c.state === "active" && c.agent === me) active[c.id] = c; else delete active[c.id];
    if (current === c.id) {
      $("chat-form").hidden = c.state === "ended";
      $("chat-end").hidden = c.state === "ended";
      if (c.state === "ended") $("chat-typing").textContent = S.ended;
    }
    renderLists();
  }

  function connect() {
    $("chat-connection").textContent = attempt ? S.reconnecting : S.connecting;
    ws = new WebSocket(wsUrl);
    ws.onmessage = function (ev) {
      var f; try { f = JSON.parse(ev.data); } catch (e) { return; }
      if (f.type === "hello") {
        attempt = 0; me = f.agent; waiting = {}; active = {};
        $("chat-connection").textContent = S.connected;
        $("chat-available").checked = f.available;
        f.waiting.forEach(function (c) { waiting[c.id] = c; });
        f.active.forEach(function (c) { active[c.id] = c; });
        renderLists();
        if (current && active[current]) show(active[current]);
        outbox.forEach(function (i) { send({ type: "message", chat: i.chat, body: i.body, client_id: i.client_id }); });
      } else if (f.type === "queue" || f.type === "state") {
        onState(f.chat);
        if (f.type === "state" && f.chat.agent === me && f.chat.state === "active" && current !== f.chat.id) {
          $("chat-connection").textContent = S.connected;
          show(f.chat);
        }
      } else if (f.type === "offer") {
        if (f.agent === me) { offers[f.chat] = true; $("chat-connection").textContent = S.new_chat; renderLists(); }
      } else if (f.type === "message") {
        addLine(f);
      } else if (f.type === "ack") {
        outbox = outbox.filter(function (i) { return i.client_id !== f.client_id; });
      } else if (f.type === "typing") {
        if (f.chat !== current || f.who !== "customer") return;
        $("chat-typing").textContent = S.typing.replace("%(name)s", (active[current] || {}).customer || S.customer);
        clearTimeout(typingTimer);
        typingTimer = setTimeout(function () { $("chat-typing").textContent = ""; }, 3000);
      } else if (f.type === "error") {
        $("chat-error").textContent = f.message;
        if (f.client_id && f.code !== "rate_limited") {
          outbox = outbox.filter(function (i) { if (i.client_id === f.client_id) { $("chat-text").value = i.body; return false; } return true; });
        }
      } else if (f.type === "available") {
        $("chat-available").checked = f.on;
      }
    };
    ws.onclose = function (ev) {
      if (ev.code === 4403) return;
      attempt += 1;
      $("chat-connection").textContent = S.reconnecting;
      setTimeout(connect, Math.min(10000, 500 * Math.pow(2, attempt - 1)) * (0.75 + Math.random() * 0.5));
    };
  }

  $("chat-available").addEventListener("change", function (ev) { send({ type: "available", on: ev.target.checked }); });
  $("chat-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var body = $("chat-text").value.trim();
    if (!body || !current) return;
    $("chat-error").textContent = "";
    var item = { chat: current, client_id: uid(), body: body };
    outbox.push(item);
    $("chat-text").value = "";
    send({ type: "message", chat: item.chat, body: body, client_id: item.client_id });
  });
  $("chat-text").addEventListener("keydown", function (ev) {
    if (ev.key === "Enter" && !ev.shiftKey) { ev.preventDefault(); $("chat-form").requestSubmit(); return; }
    var now = Date.now();
    if (current && now - lastTyping > 1500) { lastTyping = now; send({ type: "typing", chat: current }); }
  });
  $("chat-end").addEventListener("click", function () { if (current) send({ type: "end", chat: current }); });
  connect();
})();
