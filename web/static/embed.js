/* Whipcount widget loader. Put the script tag where the widget should go:
   it adds one iframe right after itself and sizes it from the height the
   widget reports. It defines no globals, adds no styles to the page, and
   listens only to messages from its own frame on the Whipcount origin it
   was loaded from. */
(function () {
  "use strict";
  var s = document.currentScript;
  if (!s || !s.src || s.getAttribute("data-whipcount") === "on") return;
  s.setAttribute("data-whipcount", "on");
  var d = s.dataset, origin = new URL(s.src).origin;
  var kind = d.widget === "action" ? "action" : "progress";
  var q = new URLSearchParams();
  if (d.partner) q.set("partner", d.partner);
  if (d.layout === "compact") q.set("layout", "compact");
  if (d.accent) q.set("accent", d.accent.replace(/^#/, ""));
  var f = document.createElement("iframe");
  f.src = origin + "/widgets/" + encodeURIComponent(d.campaign || "") + "/" + kind + (q.toString() ? "?" + q : "");
  f.title = d.title || (kind === "action" ? "Write to your members of Congress" : "Campaign progress");
  f.height = d.height || (kind === "action" ? "600" : d.layout === "compact" ? "200" : "300");
  f.setAttribute("loading", "lazy");
  f.setAttribute("sandbox", "allow-forms allow-scripts allow-same-origin allow-popups allow-popups-to-escape-sandbox");
  f.style.border = "0";
  f.style.display = "block";
  f.style.width = "100%";
  s.parentNode.insertBefore(f, s.nextSibling);
  window.addEventListener("message", function (e) {
    if (e.origin !== origin || e.source !== f.contentWindow) return;
    var m = e.data, h = m && m.type === "whipcount:height" ? Math.ceil(Number(m.height)) : 0;
    if (h > 0 && h < 20000) f.height = String(h);
  });
})();
