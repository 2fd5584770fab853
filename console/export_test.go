package console

// catalogFor exposes the page texts to the tests.
var CatalogFor = catalog
