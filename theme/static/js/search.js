/* The search page: Pagefind's own search API (pagefind.js, loaded only here) searches
   the index of the page's language (it reads <html lang>); the markup and its words
   are ours (translated in the templates). No Pagefind interface bundle is published.
   A search term in ?q= is searched at once. */
(function () {
  "use strict";

  var MAX_RESULTS = 20; // the whole site has fewer pages per language

  var root = document.querySelector("[data-mh-search]");
  if (!root) {
    return;
  }
  var summary = root.querySelector(".mh-search__summary");
  var input = root.querySelector(".mh-search__input");
  var list = root.querySelector(".mh-search__results");
  var engine = null;

  function pagefind() {
    if (!engine) {
      var bundle = root.dataset.mhBundle;
      engine = import(bundle + "pagefind.js").then(function (module) {
        return module.options({ bundlePath: bundle }).then(function () {
          return module;
        });
      });
    }
    return engine;
  }

  function result(data) {
    var item = document.createElement("li");
    item.className = "mh-search__result";
    var title = document.createElement("h2");
    title.className = "mh-search__title";
    var link = document.createElement("a");
    link.href = data.url;
    link.textContent = (data.meta && data.meta.title) || data.url;
    title.appendChild(link);
    var excerpt = document.createElement("p");
    excerpt.className = "mh-search__excerpt";
    excerpt.innerHTML = data.excerpt; // Pagefind's escaped text with <mark> hits
    item.appendChild(title);
    item.appendChild(excerpt);
    return item;
  }

  function show(term, found, data) {
    list.replaceChildren.apply(list, data.map(result));
    if (!term) {
      summary.textContent = "";
      return;
    }
    var count = found.length;
    var message = count === 0 ? root.dataset.mhNone
      : count === 1 ? root.dataset.mhOne : root.dataset.mhMany;
    summary.textContent = message.replace("{count}", count).replace("{term}", term);
  }

  function search(term) {
    term = term.trim();
    if (!term) {
      show("", [], []);
      return;
    }
    pagefind().then(function (module) {
      return module.debouncedSearch(term).then(function (searched) {
        if (searched === null) {
          return; // a newer search replaced this one
        }
        var found = searched.results;
        return Promise.all(
          found.slice(0, MAX_RESULTS).map(function (hit) { return hit.data(); })
        ).then(function (data) {
          if (input.value.trim() === term) {
            show(term, found, data);
          }
        });
      });
    });
  }

  input.addEventListener("input", function () {
    search(input.value);
  });
  root.querySelector(".mh-search__fallback").hidden = true;
  root.querySelector(".mh-search__ui").hidden = false;
  var query = new URLSearchParams(window.location.search).get("q");
  if (query) {
    input.value = query;
    search(query);
  }
})();
