// Small enhancements for every page; everything works without them.
(function () {
  "use strict";
  // The language switch applies itself once chosen.
  const select = document.getElementById("lang-select");
  if (select && select.form) {
    const button = select.form.querySelector("button");
    if (button) button.hidden = true;
    select.addEventListener("change", () => select.form.submit());
  }
})();
