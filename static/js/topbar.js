// Narrow screens: the menu button folds the top bar's navigation and account links open and shut
// (see "Narrow screens" in app.css; on wide screens the button is hidden and everything shows).
document.addEventListener("DOMContentLoaded", () => {
  const button = document.querySelector(".topbar .menu-toggle");
  if (!button) return;
  const bar = button.closest(".topbar");
  const toggle = (open) => {
    bar.classList.toggle("menu-open", open);
    button.setAttribute("aria-expanded", String(open));
  };
  button.addEventListener("click", () => toggle(!bar.classList.contains("menu-open")));
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && bar.classList.contains("menu-open")) {
      toggle(false);
      button.focus();
    }
  });
});
