/* The #focus= address and the "clear focus" link, the same on both graph pages: returns the
   function that applies the address's focus (true if it focused something). */
function evgFocusLink(applyFocus, clearFocus, focused) {
  "use strict";
  document.getElementById("focus-clear").addEventListener("click", function (ev) {
    ev.preventDefault();
    if (location.hash) history.replaceState(null, "", location.pathname + location.search);
    clearFocus();
  });
  function fromHash() {
    var params = new URLSearchParams(location.hash.replace(/^#/, ""));
    var centre = params.get("focus");
    if (centre) {
      var depth = parseInt(params.get("depth") || "1", 10);
      return applyFocus(centre, isNaN(depth) || depth < 0 ? 1 : depth);
    }
    if (focused()) clearFocus();
    return false;
  }
  window.addEventListener("hashchange", fromHash);
  return fromHash;
}
