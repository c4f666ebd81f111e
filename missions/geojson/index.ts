// GeoJSON / KML ingest and validation (filled in by the area-validation work).
export {};
