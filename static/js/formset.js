/* Add and remove rows of the proposal form's Django formsets (units, members).
 *
 * Each formset is a [data-formset] block holding its management form, a table
 * whose body lists the rows, and a <template> with the empty form (__prefix__ in
 * its names and ids). "Add" clones the template with the next index and raises
 * TOTAL_FORMS; "remove" on a row that came from the page ticks its DELETE box
 * (Django drops it on save) and on a row added here takes it out and renumbers
 * the added rows, so the indices stay 0 … TOTAL_FORMS-1. No inline code: the
 * page loads this file with script-src 'self'.
 */
(function () {
  "use strict";

  function field(block, name) {
    return block.querySelector('input[name$="-' + name + '"][name^="' + block.dataset.formset + '-"]');
  }

  function renumber(row, prefix, index) {
    var pattern = new RegExp("^(id_)?" + prefix + "-(\\d+|__prefix__)-");
    var path = new RegExp("^field-" + prefix + "\\[(\\d+|__prefix__)\\]");
    row.querySelectorAll("[name], [id], label[for]").forEach(function (el) {
      ["name", "id", "for"].forEach(function (attr) {
        var value = el.getAttribute(attr);
        if (!value) return;
        if (pattern.test(value)) {
          el.setAttribute(attr, value.replace(pattern, "$1" + prefix + "-" + index + "-"));
        } else if (path.test(value)) {
          el.setAttribute(attr, value.replace(path, "field-" + prefix + "[" + index + "]"));
        }
      });
    });
    var number = row.querySelector("[data-formset-number]");
    if (number) number.textContent = String(index + 1);
  }

  function setup(block) {
    var prefix = block.dataset.formset;
    var body = block.querySelector("[data-formset-body]");
    var template = block.querySelector("template[data-formset-template]");
    var add = block.querySelector("[data-formset-add]");
    var total = field(block, "TOTAL_FORMS");
    var max = field(block, "MAX_NUM_FORMS");
    if (!body || !template || !add || !total) return;

    function rows() {
      return Array.prototype.slice.call(body.querySelectorAll("tr[data-formset-row]"));
    }

    function refresh() {
      var all = rows();
      all.forEach(function (row, index) {
        renumber(row, prefix, index);
      });
      total.value = String(all.length);
      add.disabled = max && all.length >= parseInt(max.value, 10);
    }

    function wire(row) {
      var remove = row.querySelector("[data-formset-remove]");
      var deleteBox = row.querySelector('input[type="checkbox"][name$="-DELETE"]');
      if (!remove) return;
      remove.hidden = false;
      remove.addEventListener("click", function () {
        if (row.hasAttribute("data-formset-new")) {
          row.remove();
          refresh();
          return;
        }
        if (deleteBox) {
          deleteBox.checked = !deleteBox.checked;
          row.classList.toggle("muted", deleteBox.checked);
        }
      });
      if (deleteBox && !row.hasAttribute("data-formset-new")) {
        deleteBox.addEventListener("change", function () {
          row.classList.toggle("muted", deleteBox.checked);
        });
      }
    }

    rows().forEach(wire);
    add.hidden = false;
    add.addEventListener("click", function () {
      var row = template.content.firstElementChild.cloneNode(true);
      body.appendChild(row);
      wire(row);
      refresh();
      var first = row.querySelector("input:not([type=hidden]):not([type=checkbox]), select");
      if (first) first.focus();
    });
    refresh();
  }

  function start() {
    document.querySelectorAll("[data-formset]").forEach(setup);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
