// The personal centre's navigation scrolls sideways on a phone: bring the current
// page's pill into view (it was off-screen from the fifth pill on).
(function () {
  "use strict";
  document.querySelectorAll(".me-nav").forEach((nav) => {
    const here = nav.querySelector('[aria-current="page"]');
    if (!here || nav.scrollWidth <= nav.clientWidth) return;
    const item = here.parentElement;
    nav.scrollLeft = item.offsetLeft - (nav.clientWidth - item.offsetWidth) / 2;
  });
})();
