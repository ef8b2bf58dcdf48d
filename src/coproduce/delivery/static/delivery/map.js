/* Map of open tasks: progressive enhancement of the list beside it (the page works without it). */
(function () {
  "use strict";
  var container = document.getElementById("task-map");
  var data = document.getElementById("map-points");
  if (!container || !data || typeof L === "undefined") { return; }
  var points = JSON.parse(data.textContent);
  if (!points.length) { return; }
  container.hidden = false;
  var map = L.map(container, { scrollWheelZoom: false });
  L.tileLayer(container.dataset.tiles, {
    maxZoom: 19,
    attribution: container.dataset.attribution
  }).addTo(map);
  var bounds = [];
  points.forEach(function (point) {
    var link = document.createElement("a");
    link.href = point.url;
    link.textContent = point.title;
    var popup = document.createElement("div");
    popup.appendChild(link);
    if (point.address) {
      var address = document.createElement("p");
      address.textContent = point.address;
      popup.appendChild(address);
    }
    L.marker([point.lat, point.lng], { title: point.title, alt: point.title })
      .bindPopup(popup)
      .addTo(map);
    bounds.push([point.lat, point.lng]);
  });
  map.fitBounds(bounds, { padding: [32, 32], maxZoom: 16 });
})();
