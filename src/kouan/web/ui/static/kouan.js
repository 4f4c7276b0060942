// Small conveniences; every page works without them.
// A reason is required for any decision but approve: say so before the form is sent.
document.addEventListener("change", (event) => {
  const radio = event.target;
  if (!(radio instanceof HTMLInputElement) || radio.name !== "decision") return;
  const reason = radio.form && radio.form.querySelector("textarea[name=reason]");
  if (reason) reason.required = radio.value !== "approve";
});
// Bars (booked against capacity) take their width from data-full: the Content-Security-Policy
// allows no inline style attributes, while styles set from a script file are allowed.
for (const bar of document.querySelectorAll(".bar [data-full]")) {
  bar.style.width = `${Math.min(100, Math.max(0, Number(bar.dataset.full) || 0))}%`;
}
