// Knowledge-base tools on the agent ticket page: "insert into reply" and canned responses.
// The reply textarea is #id_body inside the form #reply-form.
(function () {
  if (window.kbAgentLoaded) return;
  window.kbAgentLoaded = true;

  function replyBox() {
    return document.querySelector("#reply-form #id_body") || document.getElementById("id_body");
  }

  function insert(text) {
    var box = replyBox();
    if (!box) return false;
    box.value = box.value ? box.value.replace(/\s*$/, "") + "\n\n" + text : text;
    box.dispatchEvent(new Event("input", { bubbles: true }));
    box.focus();
    return true;
  }

  function csrfToken() {
    try {
      var headers = JSON.parse(document.body.getAttribute("hx-headers") || "{}");
      if (headers["X-CSRFToken"]) return headers["X-CSRFToken"];
    } catch (e) { /* fall through to the cookie */ }
    var m = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : "";
  }

  document.addEventListener("click", function (ev) {
    var insertBtn = ev.target.closest("[data-kb-insert]");
    if (insertBtn) {
      ev.preventDefault();
      insert(insertBtn.getAttribute("data-kb-insert"));
      return;
    }
    var cannedBtn = ev.target.closest("[data-kb-canned-url]");
    if (cannedBtn) {
      ev.preventDefault();
      fetch(cannedBtn.getAttribute("data-kb-canned-url"), {
        method: "POST",
        headers: { "X-CSRFToken": csrfToken(), "X-Requested-With": "XMLHttpRequest" },
        credentials: "same-origin",
      })
        .then(function (r) { return r.json().then(function (data) { return { ok: r.ok, data: data }; }); })
        .then(function (res) {
          var note = document.querySelector("#kb-canned .kb-canned-note");
          if (!res.ok) { if (note) note.textContent = res.data.detail || JSON.stringify(res.data); return; }
          insert(res.data.body);
          // The ticket changed (status/category): keep the reply form's collision check current.
          var version = document.querySelector("#reply-form [name=expected_version], #reply-form [name=version]");
          if (version && res.data.version) version.value = res.data.version;
          if (note) note.textContent = cannedBtn.textContent.trim() + " ✓";
        });
    }
  });
})();
