/* The search page: Pagefind's modular interface searches the index of the page's
   language; the markup and its words are ours (translated in the templates). A
   search term in ?q= is searched at once. */
(function () {
  "use strict";

  var root = document.querySelector("[data-mh-search]");
  var Pagefind = window.PagefindModularUI;
  if (!root || !Pagefind) {
    return; // the page already says that search cannot run
  }
  var summary = root.querySelector(".mh-search__summary");
  var input = root.querySelector(".mh-search__input");
  var term = "";

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

  function placeholder() {
    var item = document.createElement("li");
    item.className = "mh-search__result mh-search__result--loading";
    return item;
  }

  var instance = new Pagefind.Instance({ bundlePath: root.dataset.mhBundle });
  instance.add(new Pagefind.Input({ inputElement: "#mh-search-input" }));
  instance.add(
    new Pagefind.ResultList({
      containerElement: "#mh-search-results",
      resultTemplate: result,
      placeholderTemplate: placeholder
    })
  );
  instance.on("search", function (searched) {
    term = searched;
  });
  instance.on("results", function (found) {
    var count = found.results.length;
    if (!term) {
      summary.textContent = "";
      return;
    }
    var message = count === 0 ? root.dataset.mhNone
      : count === 1 ? root.dataset.mhOne : root.dataset.mhMany;
    summary.textContent = message.replace("{count}", count).replace("{term}", term);
  });

  root.querySelector(".mh-search__fallback").hidden = true;
  root.querySelector(".mh-search__ui").hidden = false;
  var query = new URLSearchParams(window.location.search).get("q");
  if (query) {
    input.value = query;
    instance.triggerSearch(query);
  }
})();
