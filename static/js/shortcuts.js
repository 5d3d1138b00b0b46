// Keyboard shortcuts of the agent workspace. No library, no CDN.
//
// Convention shared by every page: a key activates the element that carries data-shortcut="KEY" on
// the current page — a click for buttons and links, focus for inputs, textareas and selects. Pages
// add the attribute; this file only maps keys. "g" then a key goes somewhere. "?" opens the list
// (the <dialog id="shortcut-help">). Keys never combine with Ctrl, Alt or Meta (those belong to the
// browser and screen readers) and are ignored while typing in a field or contenteditable; Esc leaves
// the field. A checkbox in the list turns them off (WCAG 2.1.4), remembered in localStorage.
(function () {
  "use strict";
  var OFF_KEY = "helpdesk.shortcutsOff";
  var KEYS = "jkrnaemt/";
  var pendingG = null;

  function off() {
    try { return window.localStorage.getItem(OFF_KEY) === "1"; } catch (e) { return false; }
  }
  function typing(el) {
    if (!el || el === document.body) return false;
    if (el.isContentEditable) return true;
    var tag = el.tagName;
    if (tag === "TEXTAREA" || tag === "SELECT") return true;
    if (tag !== "INPUT") return false;
    return ["button", "submit", "reset", "checkbox", "radio", "range", "color", "file", "image"].indexOf(el.type) < 0;
  }
  function visible(el) { return !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length); }
  function target(key) {
    var all = document.querySelectorAll('[data-shortcut="' + key + '"]');
    for (var i = 0; i < all.length; i++) if (!all[i].disabled && (visible(all[i]) || all[i].closest("details:not([open])"))) return all[i];
    return null;
  }
  function toast(text) {
    var el = document.getElementById("shortcut-toast");
    if (!el) return;
    el.textContent = text;
    el.classList.add("shown");
    window.clearTimeout(toast.timer);
    toast.timer = window.setTimeout(function () { el.classList.remove("shown"); el.textContent = ""; }, 2500);
  }
  function help() { return document.getElementById("shortcut-help"); }
  function openDetails(el) {
    for (var d = el.closest("details"); d; d = d.parentElement && d.parentElement.closest("details")) d.open = true;
  }
  // The composer has one box for both; "n" switches it to an internal note (the public-reply button
  // steps aside), "r" back to a reply.
  function composerMode(box, note) {
    var form = box.form;
    if (!form) return;
    if (note) form.dataset.kind = "note"; else delete form.dataset.kind;
  }
  function activate(key) {
    var el = target(key);
    if (key === "n" && !el) {
      var box = target("r");
      if (box && box.form && box.form.querySelector("[data-shortcut-note]")) { composerMode(box, true); box.focus(); return true; }
    }
    if (!el) return false;
    openDetails(el);
    if (key === "r") composerMode(el, false);
    if (el.matches("input, textarea, select")) {
      el.focus();
      if (el.select && el.type !== "date") el.select();
    } else {
      el.click();
    }
    return true;
  }
  function go(key) {
    var dlg = help();
    var url = dlg && { q: dlg.dataset.queueUrl, e: dlg.dataset.escalationsUrl }[key];
    if (url) window.location.assign(url);
    return !!url;
  }
  function showHelp() {
    var dlg = help();
    if (!dlg) return;
    var box = document.getElementById("shortcuts-off");
    if (box) box.checked = off();
    if (!dlg.open) dlg.showModal();
  }

  document.addEventListener("keydown", function (e) {
    if (e.defaultPrevented || e.ctrlKey || e.altKey || e.metaKey || e.isComposing) return;
    var dlg = help();
    if (dlg && dlg.open) return; // the dialog handles Esc itself
    if (typing(e.target)) {
      if (e.key === "Escape") e.target.blur();
      return;
    }
    if (e.key === "?") { e.preventDefault(); showHelp(); return; }
    if (off()) return;
    if (pendingG) {
      window.clearTimeout(pendingG);
      pendingG = null;
      if (go(e.key)) e.preventDefault();
      return;
    }
    if (e.key === "g") { pendingG = window.setTimeout(function () { pendingG = null; }, 1500); return; }
    // Shift is allowed: "/" and "?" need it on some layouts (German: Shift+7); "J" is not "j".
    if (e.key.length !== 1 || KEYS.indexOf(e.key) < 0) return;
    e.preventDefault();
    if (activate(e.key)) return;
    if (e.key === "/" && dlg) window.location.assign(dlg.dataset.queueUrl + "#search");
    else toast(dlg ? dlg.dataset.unavailable : "");
  });

  document.addEventListener("change", function (e) {
    if (e.target && e.target.id === "shortcuts-off") {
      try { window.localStorage.setItem(OFF_KEY, e.target.checked ? "1" : "0"); } catch (err) { /* private mode */ }
      if (e.target.checked) toast(help().dataset.off);
    }
  });
  // "/" from a page without a search box goes to the queue with its box focused.
  document.addEventListener("DOMContentLoaded", function () {
    if (window.location.hash === "#search") {
      var box = target("/");
      if (box) box.focus();
    }
  });
  window.helpdeskShortcuts = { activate: activate };
})();
