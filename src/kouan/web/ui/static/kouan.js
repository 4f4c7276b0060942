// Small conveniences; every page works without them.
// A reason is required for any decision but approve: say so before the form is sent.
document.addEventListener("change", (event) => {
  const radio = event.target;
  if (!(radio instanceof HTMLInputElement) || radio.name !== "decision") return;
  const reason = radio.form && radio.form.querySelector("textarea[name=reason]");
  if (reason) reason.required = radio.value !== "approve";
});
