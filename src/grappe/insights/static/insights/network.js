/* The collaboration network page: hover or focus an organisation to see its links and neighbours only;
   type a name to find organisations. The graph is server-drawn SVG (grappe.insights.network.graph_svg):
   circles carry data-node, lines data-a and data-b. Without JavaScript the graph, its hover titles and
   its links still work. No library, no network. */
(function () {
  "use strict";
  var svg = document.querySelector("svg.network");
  if (!svg) return;
  var circles = Array.prototype.slice.call(svg.querySelectorAll("circle[data-node]"));
  var lines = Array.prototype.slice.call(svg.querySelectorAll("line[data-a]"));
  var neighbours = {};
  lines.forEach(function (line) {
    var a = line.getAttribute("data-a"), b = line.getAttribute("data-b");
    (neighbours[a] = neighbours[a] || {})[b] = true;
    (neighbours[b] = neighbours[b] || {})[a] = true;
  });

  function focus(id) {
    svg.classList.toggle("focused", id !== null);
    circles.forEach(function (circle) {
      var node = circle.getAttribute("data-node");
      circle.classList.toggle("near", id !== null && (node === id || !!(neighbours[id] || {})[node]));
    });
    lines.forEach(function (line) {
      line.classList.toggle(
        "near", id !== null && (line.getAttribute("data-a") === id || line.getAttribute("data-b") === id)
      );
    });
  }

  circles.forEach(function (circle) {
    var id = circle.getAttribute("data-node");
    var link = circle.parentNode;
    circle.addEventListener("mouseenter", function () { focus(id); });
    circle.addEventListener("mouseleave", function () { focus(null); });
    link.addEventListener("focus", function () { focus(id); });
    link.addEventListener("blur", function () { focus(null); });
  });

  var find = document.getElementById("network-find");
  var status = document.getElementById("network-find-status");
  if (!find) return;
  find.hidden = false;
  find.closest("label").hidden = false;
  find.addEventListener("input", function () {
    var query = find.value.trim().toLocaleLowerCase();
    var found = 0;
    svg.classList.toggle("searching", query !== "");
    circles.forEach(function (circle) {
      var title = circle.querySelector("title");
      var hit = query !== "" && title !== null && title.textContent.toLocaleLowerCase().indexOf(query) !== -1;
      circle.classList.toggle("match", hit);
      if (hit) found += 1;
    });
    if (status) status.textContent = query === "" ? "" : status.getAttribute("data-found").replace("%s", found);
  });
})();
