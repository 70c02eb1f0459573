// Search page: on a wide screen the filters stand open beside the results; on a phone
// they stay folded under them (a <details> the reader opens), so results come first.
(function () {
  "use strict";
  const filters = document.getElementById("search-filters");
  if (filters && window.matchMedia("(min-width: 48rem)").matches) filters.open = true;
})();
