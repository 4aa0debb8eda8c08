/* The main menu on a phone: folded away behind "Menu" (theme/static/css/site.css).
   Without this script "Menu" is a link to the menu that opens it through :target;
   with it, "Menu" becomes a button that opens and closes the menu in place and
   says whether it is open (aria-expanded). */
(function () {
  "use strict";

  var link = document.querySelector(".mh-menu-toggle");
  var nav = document.getElementById("mh-nav");
  if (!link || !nav) {
    return;
  }
  var button = document.createElement("button");
  button.type = "button";
  button.className = link.className;
  button.textContent = link.textContent;
  button.setAttribute("aria-controls", nav.id);
  button.setAttribute("aria-expanded", "false");
  link.replaceWith(button);
  document.documentElement.classList.add("mh-js-menu");

  button.addEventListener("click", function () {
    var open = button.getAttribute("aria-expanded") !== "true";
    button.setAttribute("aria-expanded", String(open));
    nav.classList.toggle("mh-nav--open", open);
  });
})();
