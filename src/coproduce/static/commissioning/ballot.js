// Shows the money left in each area heading as the voter ticks projects, and warns before
// the ballot is sent when the choices cost more than is available. The server checks the
// same rules; without JavaScript the page works the same, with the check on submission.
(function () {
  "use strict";
  var areas = document.querySelectorAll("fieldset.ballot-area[data-limited]");
  var format = new Intl.NumberFormat(document.documentElement.lang || undefined, {
    maximumFractionDigits: 0,
  });
  function update(area) {
    var limit = parseFloat(area.dataset.limit);
    var spent = 0;
    area.querySelectorAll("input[type=checkbox][data-cost]:checked").forEach(function (box) {
      spent += parseFloat(box.dataset.cost);
    });
    var remaining = limit - spent;
    var out = area.querySelector(".remaining-value");
    if (out) {
      out.textContent = format.format(remaining);
    }
    area.classList.toggle("over-budget", remaining < 0);
    return remaining >= 0;
  }
  areas.forEach(function (area) {
    area.addEventListener("change", function () {
      update(area);
    });
    update(area);
  });
  var form = document.querySelector("form.ballot");
  if (form) {
    form.addEventListener("submit", function (event) {
      var ok = true;
      areas.forEach(function (area) {
        ok = update(area) && ok;
      });
      if (!ok) {
        event.preventDefault();
        var first = document.querySelector("fieldset.over-budget .remaining");
        if (first) {
          first.setAttribute("role", "alert");
          first.focus();
        }
      }
    });
  }
})();
