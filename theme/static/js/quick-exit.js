/* Quick exit: leave for a neutral site at once, by the button or by pressing Shift
   three times (as the GOV.UK Design System's "Exit this page" component does).
   The page is replaced in the history, so Back does not come back to it. Without
   this script the button is still a plain link to the same neutral site. */
(function () {
  "use strict";

  var PRESSES = 3;
  var RESET_AFTER_MS = 5000; // a slow third press is not an exit (as in GOV.UK's)

  var root = document.querySelector("[data-mh-quick-exit]");
  if (!root) {
    return;
  }
  var button = root.querySelector(".mh-exit__button");
  var status = root.querySelector(".mh-exit__status");
  var hint = root.querySelector(".mh-exit__hint");
  var messages = ["", root.dataset.mhOnce, root.dataset.mhTwice];
  var count = 0;
  var timer = null;

  function show(pressed) {
    count = pressed;
    status.textContent = messages[pressed] || "";
  }

  function reset() {
    window.clearTimeout(timer);
    if (count !== 0) {
      show(0);
    }
  }

  function leave() {
    window.clearTimeout(timer);
    status.textContent = root.dataset.mhLeaving;
    // Hide the page at once: the next site may take a moment to appear.
    document.documentElement.classList.add("mh-exiting");
    window.location.replace(button.href);
  }

  button.addEventListener("click", function (event) {
    event.preventDefault();
    leave();
  });

  // A press counts when Shift comes up without another key in between: Shift used
  // to type a capital is not a press (as in GOV.UK's component).
  var otherKey = false;

  document.addEventListener("keydown", function (event) {
    if (event.key === "Shift") {
      if (!event.repeat) {
        otherKey = false;
      }
      return;
    }
    otherKey = true;
    reset(); // any other key starts the count again
  });

  document.addEventListener("keyup", function (event) {
    if (event.key !== "Shift" || otherKey) {
      return;
    }
    window.clearTimeout(timer);
    if (count + 1 >= PRESSES) {
      leave();
      return;
    }
    show(count + 1);
    timer = window.setTimeout(reset, RESET_AFTER_MS);
  });

  // A page restored from the back-forward cache starts afresh.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      document.documentElement.classList.remove("mh-exiting");
      reset();
    }
  });

  hint.hidden = false;
})();
