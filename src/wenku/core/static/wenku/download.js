// The download-ready page starts the file by itself a second after it shows (the file is
// an attachment, so the page stays, with its button for a browser that blocks this).
// A script, not <meta http-equiv="refresh">: a timed refresh is a barrier to readers of
// assistive technology (WCAG 2.2.1, axe's meta-refresh rule).
(function () {
  "use strict";
  const link = document.getElementById("file-link");
  if (!link || !link.hasAttribute("data-autostart")) return;
  window.setTimeout(() => window.location.assign(link.href), 1000);
})();
