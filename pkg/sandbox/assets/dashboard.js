// This script keeps the page live: every two seconds it fetches the page
// again and swaps in the new list when it changed, leaving open histories
// open. It is off while the tab is hidden or the box is unticked.
"use strict";
(function () {
  var box = document.getElementById("live");
  if (!box) return;
  var label = box.closest("label");
  label.hidden = false;
  try { box.checked = localStorage.getItem("pinelabs-sandbox-live") !== "off"; } catch (e) {}
  box.addEventListener("change", function () {
    try { localStorage.setItem("pinelabs-sandbox-live", box.checked ? "on" : "off"); } catch (e) {}
  });
  var busy = false;
  function refresh() {
    if (busy || !box.checked || document.hidden) return;
    busy = true;
    fetch(location.pathname, { cache: "no-store", headers: { Accept: "text/html" } })
      .then(function (res) {
        if (!res.ok) throw new Error("HTTP " + res.status);
        return res.text();
      })
      .then(function (text) {
        var fresh = new DOMParser().parseFromString(text, "text/html").getElementById("orders");
        var main = document.getElementById("orders");
        if (!fresh || !main) return;
        var open = {};
        main.querySelectorAll("details[open][data-key]").forEach(function (d) { open[d.dataset.key] = true; });
        fresh.querySelectorAll("details[data-key]").forEach(function (d) { d.open = !!open[d.dataset.key]; });
        if (fresh.innerHTML !== main.innerHTML) main.replaceWith(document.adoptNode(fresh));
        label.classList.remove("stale");
        label.title = "";
      })
      .catch(function (err) {
        label.classList.add("stale");
        label.title = "the sandbox did not answer: " + err.message;
      })
      .finally(function () { busy = false; });
  }
  setInterval(refresh, 2000);
})();
