// The portal's search page: MiniSearch (minisearch.js) over the documents that
// search-index.js lists (processes, steps, roles, documents, metrics). Everything is a
// static file, so it works opened from disk (file://) as well as from a web server.
(function () {
  "use strict";
  var docs = (window.QMS_SEARCH && window.QMS_SEARCH.docs) || [];
  var kinds = JSON.parse(document.getElementById("search-kinds").textContent);
  var index = new MiniSearch({
    fields: ["title", "text"],
    storeFields: ["title", "kind", "org", "context", "url"],
    searchOptions: { prefix: true, fuzzy: 0.2, boost: { title: 3 }, combineWith: "AND" }
  });
  index.addAll(docs);
  var input = document.getElementById("q");
  var list = document.getElementById("search-results");
  var status = document.getElementById("search-status");

  function show(query) {
    list.textContent = "";
    if (!query.trim()) {
      status.textContent = "";
      return;
    }
    var hits = index.search(query);
    hits.forEach(function (hit) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = hit.url;
      link.textContent = hit.title;
      item.appendChild(link);
      var where = document.createElement("span");
      where.className = "note";
      where.textContent = " " + [kinds[hit.kind] || hit.kind, hit.org, hit.context]
        .filter(Boolean).join(" · ");
      item.appendChild(where);
      list.appendChild(item);
    });
    status.textContent = hits.length
      ? hits.length + " " + status.getAttribute("data-found")
      : status.getAttribute("data-none");
  }

  var query = new URLSearchParams(window.location.search).get("q") || "";
  input.value = query;
  show(query);
  input.addEventListener("input", function () { show(input.value); });
})();
