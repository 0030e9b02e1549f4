// Whipcount's enhancement script. Everything works without it; it sets
// htmx's settings, and adds focus management after htmx swaps and the
// "Use my location" button.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // htmx's settings. Both scripts are deferred, htmx first, so htmx is
  // loaded but has not started: it reads these when the document has been
  // parsed. Kept here rather than in every page, they are fetched once.
  if (window.htmx) {
    var config = window.htmx.config;
    // Swap 422 answers (validation errors), 429 and 404 like 2xx ones, so
    // forms re-render with their messages. Other errors are swapped too:
    // the server answers them with a notice aimed (HX-Retarget) at an
    // alert region, so nothing typed is replaced.
    config.responseHandling = [
      { code: "204", swap: false },
      { code: "[23]..", swap: true },
      { code: "422", swap: true },
      { code: "429", swap: true },
      { code: "404", swap: true },
      { code: "[45]..", swap: true, error: true }
    ];
    // No inline styles (the Content-Security-Policy forbids them), no
    // scripts from swapped content, and no copies of pages kept in the
    // browser's storage.
    config.includeIndicatorStyles = false;
    config.allowEval = false;
    config.allowScriptTags = false;
    config.historyCacheSize = 0;
  }

  // After htmx swaps in new results, move focus to the region's heading so
  // keyboard and screen reader users land on what changed.
  document.addEventListener("htmx:afterSettle", function (ev) {
    var target = ev.detail && ev.detail.target;
    if (!target) return;
    // An outerHTML swap replaces the target: look the region up again by id.
    var root = (target.id && document.getElementById(target.id)) || target;
    var focus = root.querySelector("[data-focus]") || (root.hasAttribute("data-focus") ? root : null);
    if (focus) {
      if (!focus.hasAttribute("tabindex")) focus.setAttribute("tabindex", "-1");
      focus.focus();
    }
  });

  // "Use my location": ask the browser, then load the point lookup. The
  // coordinates go to this site only, as a normal GET.
  document.addEventListener("click", function (ev) {
    var btn = ev.target.closest && ev.target.closest("[data-geolocate]");
    if (!btn) return;
    ev.preventDefault();
    var status = document.getElementById(btn.getAttribute("data-status") || "geo-status");
    function say(msg) { if (status) status.textContent = msg; }
    if (!navigator.geolocation) { say("Your browser cannot share its location. Pick your district instead."); return; }
    say("Finding your location…");
    navigator.geolocation.getCurrentPosition(function (pos) {
      var lat = pos.coords.latitude.toFixed(5), lon = pos.coords.longitude.toFixed(5);
      var url = btn.getAttribute("data-href") || "/reps";
      var sep = url.indexOf("?") >= 0 ? "&" : "?";
      url += sep + "lat=" + encodeURIComponent(lat) + "&lon=" + encodeURIComponent(lon);
      var target = btn.getAttribute("data-target");
      if (window.htmx && target) {
        window.htmx.ajax("GET", url, { target: target, swap: "innerHTML" }).then(function () {
          history.pushState({}, "", url);
        });
      } else {
        window.location.href = url;
      }
    }, function () {
      say("We could not get your location. You can pick your district from the list instead.");
    }, { enableHighAccuracy: false, timeout: 10000, maximumAge: 600000 });
  });
  // "Copy the letter": copy a read-only letter for pasting into an office's
  // contact form. Without this script the text is still there to select.
  document.addEventListener("click", function (ev) {
    var btn = ev.target.closest && ev.target.closest("[data-copy]");
    if (!btn) return;
    var src = document.getElementById(btn.getAttribute("data-copy"));
    var status = document.getElementById(btn.getAttribute("data-copy-status"));
    if (!src) return;
    function done(ok) {
      var said = btn.getAttribute("data-copy-done") || "Copied. Now paste it into their form.";
      if (status) status.textContent = ok ? said : "Select the text and copy it yourself.";
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(src.value).then(function () { done(true); }, function () { done(false); });
      return;
    }
    src.focus();
    src.select();
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    done(ok);
  });

  // "Print": the printable letter's button.
  document.addEventListener("click", function (ev) {
    if (ev.target.closest && ev.target.closest("[data-print]")) window.print();
  });
})();
