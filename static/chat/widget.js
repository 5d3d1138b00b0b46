/* Live chat widget (issue #12). Vendored, no dependencies, no third-party assets.
 *
 * Include with: <script src="https://HELPDESK/static/chat/widget.js" data-lang="de" defer></script>
 * The WebSocket goes to the host the script came from (/ws/chat/). Everything a person wrote is shown
 * with textContent, never as HTML. The chat (id + secret token) and the lines not yet confirmed by the
 * server are kept in sessionStorage: after a network drop or a server restart the widget reconnects
 * with backoff, resumes after the last message id it showed and sends unconfirmed lines again (the
 * server stores each client_id once).
 */
(function () {
  "use strict";
  if (window.__helpdeskChat) return;
  window.__helpdeskChat = true;

  var script = document.currentScript || document.querySelector("script[data-helpdesk-chat]");
  var base = new URL(script ? script.src : location.href);
  var wsUrl = (base.protocol === "https:" ? "wss://" : "ws://") + base.host + "/ws/chat/";
  var lang = ((script && script.dataset.lang) || document.documentElement.lang || "en").slice(0, 2);
  var signedIn = script && script.dataset.signedIn === "1";
  var STORE = "helpdesk-chat", OUTBOX = "helpdesk-chat-outbox";

  var T = {
    en: {
      open: "Chat with us", title: "Live chat", close: "Close chat window", name: "Your name",
      email: "Your email address", start: "Start chat", message: "Your message", send: "Send",
      person: "Talk to a person", end: "End chat", yes: "Yes, solved", no: "No, talk to a person",
      connecting: "Connecting…", connected: "Connected", reconnecting: "Connection lost. Reconnecting…",
      typing: "is typing…", ended: "This chat has ended.", you: "You", notSent: "Not sent",
      newChat: "Start a new chat", intro: "Ask us anything. Our answer bot suggests articles first.",
      waiting: "Waiting for an agent", active: "In conversation"
    },
    de: {
      open: "Chatten Sie mit uns", title: "Live-Chat", close: "Chatfenster schließen", name: "Ihr Name",
      email: "Ihre E-Mail-Adresse", start: "Chat starten", message: "Ihre Nachricht", send: "Senden",
      person: "Mit einem Menschen sprechen", end: "Chat beenden", yes: "Ja, gelöst",
      no: "Nein, mit einem Menschen sprechen", connecting: "Verbindung wird aufgebaut…",
      connected: "Verbunden", reconnecting: "Verbindung unterbrochen. Neuer Versuch…",
      typing: "schreibt…", ended: "Dieser Chat ist beendet.", you: "Sie", notSent: "Nicht gesendet",
      newChat: "Neuen Chat starten",
      intro: "Fragen Sie uns. Unser Antwort-Bot schlägt zuerst passende Artikel vor.",
      waiting: "Wartet auf einen Agenten", active: "Im Gespräch"
    }
  };
  var t = T[lang] || T.en;

  function load(key, fallback) {
    try { return JSON.parse(sessionStorage.getItem(key)) || fallback; } catch (e) { return fallback; }
  }
  function save(key, value) {
    try { sessionStorage.setItem(key, JSON.stringify(value)); } catch (e) { /* private mode: memory only */ }
  }
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function uid() {
    return (crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random().toString(16).slice(2));
  }

  var css = [
    ".hdc-launch{position:fixed;right:16px;bottom:16px;z-index:9999;padding:.7em 1.1em;border-radius:2em;",
    "border:0;background:#1d4ed8;color:#fff;font:inherit;font-weight:600;cursor:pointer;box-shadow:0 2px 8px #0004}",
    ".hdc-launch:focus-visible,.hdc-panel :focus-visible{outline:3px solid #f59e0b;outline-offset:2px}",
    ".hdc-panel{position:fixed;right:16px;bottom:16px;z-index:10000;width:min(380px,calc(100vw - 16px));",
    "height:min(560px,calc(100vh - 32px));display:flex;flex-direction:column;background:#fff;color:#111;",
    "border:1px solid #ccc;border-radius:10px;box-shadow:0 4px 24px #0005;font:15px/1.4 system-ui,sans-serif}",
    "@media (max-width:420px){.hdc-panel{right:8px;left:8px;bottom:8px;width:auto}}",
    ".hdc-panel[hidden],.hdc-launch[hidden],.hdc-panel [hidden]{display:none!important}",
    ".hdc-head{display:flex;align-items:center;gap:.5em;padding:.6em .8em;background:#1d4ed8;color:#fff;border-radius:10px 10px 0 0}",
    ".hdc-head h2{font-size:1em;margin:0;flex:1}",
    ".hdc-head button{background:none;border:0;color:#fff;font-size:1.3em;cursor:pointer;min-width:44px;min-height:44px}",
    ".hdc-status{font-size:.85em;padding:.3em .8em;background:#f1f5f9;color:#334155}",
    ".hdc-log{flex:1;overflow-y:auto;padding:.6em .8em;display:flex;flex-direction:column;gap:.5em}",
    ".hdc-msg{max-width:85%;padding:.45em .7em;border-radius:8px;background:#f1f5f9;white-space:pre-wrap;overflow-wrap:anywhere}",
    ".hdc-msg.hdc-customer{align-self:flex-end;background:#dbeafe}",
    ".hdc-msg.hdc-system{align-self:center;background:none;color:#475569;font-size:.9em;text-align:center}",
    ".hdc-msg .hdc-who{display:block;font-size:.75em;font-weight:600;color:#475569}",
    ".hdc-msg.hdc-failed{border:1px solid #b91c1c}",
    ".hdc-msg ul{margin:.3em 0;padding-left:1.2em}",
    ".hdc-msg a{color:#1d4ed8}",
    ".hdc-actions{display:flex;flex-wrap:wrap;gap:.4em;margin-top:.4em}",
    ".hdc-panel button.hdc-btn{font:inherit;padding:.45em .8em;min-height:44px;border-radius:6px;border:1px solid #1d4ed8;background:#fff;color:#1d4ed8;cursor:pointer}",
    ".hdc-panel button.hdc-primary{background:#1d4ed8;color:#fff}",
    ".hdc-typing{min-height:1.3em;font-size:.85em;color:#475569;padding:0 .8em}",
    ".hdc-form{display:flex;flex-direction:column;gap:.4em;padding:.6em .8em;border-top:1px solid #e2e8f0}",
    ".hdc-form label{font-size:.85em;font-weight:600}",
    ".hdc-form input,.hdc-form textarea{font:inherit;padding:.45em;border:1px solid #94a3b8;border-radius:6px;width:100%;box-sizing:border-box}",
    ".hdc-row{display:flex;gap:.4em;flex-wrap:wrap}",
    ".hdc-error{color:#b91c1c;font-size:.9em}",
    ".hdc-sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}"
  ].join("");
  document.head.appendChild(el("style", {}, css));

  // --- the elements -------------------------------------------------------------------------------
  var launch = el("button", { type: "button", class: "hdc-launch", "aria-haspopup": "dialog" }, t.open);
  var panel = el("section", { class: "hdc-panel", role: "dialog", "aria-label": t.title, hidden: "" });
  var head = el("div", { class: "hdc-head" });
  head.appendChild(el("h2", {}, t.title));
  var closeBtn = el("button", { type: "button", "aria-label": t.close }, "×");
  head.appendChild(closeBtn);
  var status = el("div", { class: "hdc-status", role: "status", "aria-live": "polite" });
  var log = el("div", { class: "hdc-log", role: "log", "aria-live": "polite", "aria-relevant": "additions", tabindex: "0" });
  var typing = el("div", { class: "hdc-typing", "aria-live": "polite" });
  var error = el("div", { class: "hdc-error", role: "alert" });

  var startForm = el("form", { class: "hdc-form", novalidate: "" });
  startForm.appendChild(el("p", {}, t.intro));
  var nameInput = el("input", { id: "hdc-name", name: "name", autocomplete: "name", required: "" });
  var emailInput = el("input", { id: "hdc-email", name: "email", type: "email", autocomplete: "email", required: "" });
  if (!signedIn) {
    startForm.appendChild(el("label", { for: "hdc-name" }, t.name));
    startForm.appendChild(nameInput);
    startForm.appendChild(el("label", { for: "hdc-email" }, t.email));
    startForm.appendChild(emailInput);
  }
  startForm.appendChild(el("button", { type: "submit", class: "hdc-btn hdc-primary" }, t.start));

  var msgForm = el("form", { class: "hdc-form", hidden: "" });
  msgForm.appendChild(el("label", { for: "hdc-text" }, t.message));
  var text = el("textarea", { id: "hdc-text", rows: "2", maxlength: "5000" });
  msgForm.appendChild(text);
  var row = el("div", { class: "hdc-row" });
  var sendBtn = el("button", { type: "submit", class: "hdc-btn hdc-primary" }, t.send);
  var personBtn = el("button", { type: "button", class: "hdc-btn" }, t.person);
  var endBtn = el("button", { type: "button", class: "hdc-btn" }, t.end);
  row.appendChild(sendBtn); row.appendChild(personBtn); row.appendChild(endBtn);
  msgForm.appendChild(row);
  var newBtn = el("button", { type: "button", class: "hdc-btn", hidden: "" }, t.newChat);

  [head, status, log, typing, error, startForm, msgForm, newBtn].forEach(function (n) { panel.appendChild(n); });
  document.body.appendChild(launch);
  document.body.appendChild(panel);

  // --- state ----------------------------------------------------------------------------------------
  var chat = load(STORE, null);          // {id, token, state}
  // The newest message id shown on this page: a reconnect asks for what came after it; a reloaded page
  // starts at 0 and shows the whole conversation again.
  var lastSeen = 0;
  var outbox = load(OUTBOX, []);         // [{client_id, body}] sent but not confirmed
  var ws = null, attempt = 0, retryTimer = null, seen = {}, typingTimer = null, lastTyping = 0;

  function setStatus(s) { status.textContent = s; }
  function persist() { save(STORE, chat); save(OUTBOX, outbox); }

  function showChat() {
    startForm.hidden = true;
    msgForm.hidden = chat && chat.state === "ended";
    newBtn.hidden = !(chat && chat.state === "ended");
    personBtn.hidden = !(chat && chat.state === "waiting_bot");
  }

  function addLine(m) {
    if (m.id && seen[m.id]) return;
    if (m.id) seen[m.id] = true;
    var kind = m.kind === "customer" ? "customer" : (m.kind === "system" ? "system" : "other");
    var box = el("div", { class: "hdc-msg hdc-" + kind, "data-id": m.id || "" });
    if (m.client_id) box.setAttribute("data-client", m.client_id);
    box.appendChild(el("span", { class: "hdc-who" }, m.kind === "customer" ? t.you : m.author));
    if (m.articles && m.articles.length) {
      // The bot's line: intro, the articles as links (built from data, not from HTML), the question.
      var lines = m.body.split("\n");
      box.appendChild(document.createTextNode(lines[0]));
      var ul = el("ul");
      m.articles.forEach(function (a) {
        var li = el("li");
        var link = el("a", { href: new URL(a.url, base).href, target: "_blank", rel: "noopener" }, a.title);
        li.appendChild(link); ul.appendChild(li);
      });
      box.appendChild(ul);
      box.appendChild(document.createTextNode(lines[lines.length - 1]));
      if (m.ask_solved && chat && chat.state === "waiting_bot") {
        var actions = el("div", { class: "hdc-actions" });
        var yes = el("button", { type: "button", class: "hdc-btn hdc-primary" }, t.yes);
        var no = el("button", { type: "button", class: "hdc-btn" }, t.no);
        yes.onclick = function () { send({ type: "solved", yes: true }); actions.remove(); };
        no.onclick = function () { send({ type: "solved", yes: false }); actions.remove(); };
        actions.appendChild(yes); actions.appendChild(no);
        box.appendChild(actions);
      }
    } else {
      box.appendChild(document.createTextNode(m.body));
    }
    // The line the widget showed while sending is replaced by the stored one.
    if (m.client_id) {
      var pending = log.querySelector('[data-pending="' + CSS.escape(m.client_id) + '"]');
      if (pending) pending.remove();
    }
    log.appendChild(box);
    log.scrollTop = log.scrollHeight;
    if (m.id && m.id > lastSeen) lastSeen = m.id;
  }

  function addPending(item) {
    var box = el("div", { class: "hdc-msg hdc-customer", "data-pending": item.client_id });
    box.appendChild(el("span", { class: "hdc-who" }, t.you));
    box.appendChild(document.createTextNode(item.body));
    log.appendChild(box);
    log.scrollTop = log.scrollHeight;
  }

  function send(frame) {
    if (ws && ws.readyState === 1) { ws.send(JSON.stringify(frame)); return true; }
    return false;
  }

  function flushOutbox() { outbox.forEach(function (item) { send({ type: "message", body: item.body, client_id: item.client_id }); }); }

  function connect() {
    clearTimeout(retryTimer);
    setStatus(attempt ? t.reconnecting : t.connecting);
    ws = new WebSocket(wsUrl);
    ws.onopen = function () {
      if (chat) send({ type: "resume", chat: chat.id, token: chat.token, after: lastSeen });
      else if (pendingStart) send(pendingStart);
    };
    ws.onmessage = function (ev) {
      var f; try { f = JSON.parse(ev.data); } catch (e) { return; }
      if (f.type === "joined") {
        attempt = 0;
        var fresh = !chat;
        chat = { id: f.chat.id, token: f.token, state: f.chat.state };
        pendingStart = null; persist(); showChat(); setStatus(label(f.chat)); flushOutbox();
        if (fresh) text.focus();
      } else if (f.type === "message") {
        addLine(f);
      } else if (f.type === "ack") {
        outbox = outbox.filter(function (i) { return i.client_id !== f.client_id; }); persist();
      } else if (f.type === "state") {
        if (chat) { chat.state = f.chat.state; persist(); }
        setStatus(label(f.chat)); showChat();
        if (f.chat.state !== "waiting_bot") log.querySelectorAll(".hdc-actions").forEach(function (a) { a.remove(); });
      } else if (f.type === "typing") {
        typing.textContent = (f.who === "agent" ? (chatAgent || "") + " " : "") + t.typing;
        clearTimeout(typingTimer);
        typingTimer = setTimeout(function () { typing.textContent = ""; }, 3000);
      } else if (f.type === "error") {
        error.textContent = f.message;
        if (f.code === "forbidden") { chat = null; outbox = []; persist(); startForm.hidden = false; msgForm.hidden = true; }
        if (f.client_id && f.code !== "rate_limited") {
          // Refused for good (too long): put the text back for editing, drop it from the outbox.
          outbox = outbox.filter(function (i) { if (i.client_id === f.client_id) { text.value = i.body; return false; } return true; });
          persist();
          var p = log.querySelector('[data-pending="' + CSS.escape(f.client_id) + '"]');
          if (p) p.remove();
        } else if (f.code === "rate_limited") {
          setTimeout(flushOutbox, 10000);  // the window has passed by then: send what is still unconfirmed
        }
      }
    };
    ws.onclose = function (ev) {
      if (ev.code === 4403) return;
      attempt += 1;
      setStatus(t.reconnecting);
      var delay = Math.min(10000, 500 * Math.pow(2, attempt - 1)) * (0.75 + Math.random() * 0.5);
      retryTimer = setTimeout(connect, delay);
    };
  }

  var chatAgent = "";
  function label(c) {
    if (c.agent_name) chatAgent = c.agent_name;
    if (c.state === "ended") return t.ended;
    if (c.state === "active") return t.active + (c.agent_name ? ": " + c.agent_name : "");
    if (c.state === "waiting_agent") return t.waiting;
    return t.connected;
  }

  var pendingStart = null;
  startForm.addEventListener("submit", function (ev) {
    ev.preventDefault();
    error.textContent = "";
    if (!signedIn && (!nameInput.value.trim() || !emailInput.checkValidity() || !emailInput.value)) {
      error.textContent = !nameInput.value.trim() ? t.name : t.email;
      (!nameInput.value.trim() ? nameInput : emailInput).focus();
      return;
    }
    pendingStart = { type: "start", name: nameInput.value, email: emailInput.value, language: lang };
    if (!send(pendingStart)) connect();
  });
  msgForm.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var body = text.value.trim();
    if (!body) return;
    error.textContent = "";
    var item = { client_id: uid(), body: body };
    outbox.push(item); persist(); addPending(item);
    text.value = "";
    send({ type: "message", body: body, client_id: item.client_id });
  });
  text.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter" && !ev.shiftKey) { ev.preventDefault(); msgForm.requestSubmit(); return; }
    var now = Date.now();
    if (now - lastTyping > 1500) { lastTyping = now; send({ type: "typing" }); }
  });
  personBtn.onclick = function () { send({ type: "person" }); };
  endBtn.onclick = function () { send({ type: "end" }); };
  newBtn.onclick = function () {
    chat = null; outbox = []; persist(); seen = {}; log.textContent = ""; error.textContent = "";
    newBtn.hidden = true; startForm.hidden = false; msgForm.hidden = true;
  };
  function openPanel() {
    panel.hidden = false; launch.hidden = true;
    if (!ws) connect();
    (startForm.hidden ? text : (signedIn ? startForm.querySelector("button") : nameInput)).focus();
  }
  function closePanel() { panel.hidden = true; launch.hidden = false; launch.focus(); }
  launch.onclick = openPanel;
  closeBtn.onclick = closePanel;
  panel.addEventListener("keydown", function (ev) { if (ev.key === "Escape") closePanel(); });

  if (chat) { showChat(); outbox.forEach(addPending); openPanel(); }
})();
