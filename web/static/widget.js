// Whipcount widget pages: tell the page that embeds this widget how tall it
// is, so the frame fits without a scroll bar. The height is not sensitive,
// so any parent may hear it; the loader (embed.js) listens only to its own
// frame. Nothing else here: the widget works without this script.
(function () {
  "use strict";
  if (window.parent === window) return;
  var last = 0;
  function post() {
    var h = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (h > 0 && h !== last) {
      last = h;
      window.parent.postMessage({ type: "whipcount:height", height: h }, "*");
    }
  }
  if (window.ResizeObserver) new ResizeObserver(post).observe(document.documentElement);
  window.addEventListener("load", post);
  post();
})();
