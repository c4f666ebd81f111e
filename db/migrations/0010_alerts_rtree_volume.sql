-- Hand-written (drizzle-kit cannot generate virtual tables or triggers). The R*Tree is rebuilt
-- with boxes that have volume in every dimension. SQLite's R*Tree chooses where to insert by the
-- least growth of volume and splits by overlap of volumes; the type dimension was one value wide,
-- so every volume was zero, insertion took any node of the right type and leaves spanned most of
-- the map (a 5 km, 7-day query read ~100 leaves for 13 hits). Now:
-- - lon/lat: the alert's box padded by 1e-5 degrees (an alert at one point still has an area);
-- - time: its observed span padded by a minute, in units of 30 days (2592000000 ms), so that a
--   degree (~100 km) weighs like a month and a query of a few km over days is a compact box;
-- - type: the interval [code, code + 0.5], so that a query for codes lo..hi
--   (min_type <= hi AND max_type >= lo) is exact while every box has width in type.
-- The boxes are a superset (32-bit floats rounded outwards, padding): queries re-check the row.
-- db/repositories/alerts-repository.ts (ALERT_RTREE) names the same constants.
DROP TRIGGER `alerts_rtree_insert`;
--> statement-breakpoint
DROP TRIGGER `alerts_rtree_update`;
--> statement-breakpoint
DROP TRIGGER `alerts_rtree_delete`;
--> statement-breakpoint
DROP TABLE `alerts_rtree`;
--> statement-breakpoint
CREATE VIRTUAL TABLE `alerts_rtree` USING rtree(`seq`, `min_lon`, `max_lon`, `min_lat`, `max_lat`, `min_t`, `max_t`, `min_type`, `max_type`);
--> statement-breakpoint
INSERT INTO `alerts_rtree` SELECT `seq`, `min_lon` - 1e-5, `max_lon` + 1e-5, `min_lat` - 1e-5, `max_lat` + 1e-5, (`first_observed_at` - 60000) / 2592000000.0, (`last_observed_at` + 60000) / 2592000000.0, `type_code`, `type_code` + 0.5 FROM `alerts` ORDER BY `seq`;
--> statement-breakpoint
CREATE TRIGGER `alerts_rtree_insert` AFTER INSERT ON `alerts` BEGIN
  INSERT INTO `alerts_rtree` VALUES (new.`seq`, new.`min_lon` - 1e-5, new.`max_lon` + 1e-5, new.`min_lat` - 1e-5, new.`max_lat` + 1e-5, (new.`first_observed_at` - 60000) / 2592000000.0, (new.`last_observed_at` + 60000) / 2592000000.0, new.`type_code`, new.`type_code` + 0.5);
END;
--> statement-breakpoint
CREATE TRIGGER `alerts_rtree_update` AFTER UPDATE OF `seq`, `min_lon`, `max_lon`, `min_lat`, `max_lat`, `first_observed_at`, `last_observed_at`, `type_code` ON `alerts` BEGIN
  DELETE FROM `alerts_rtree` WHERE `seq` = old.`seq`;
  INSERT INTO `alerts_rtree` VALUES (new.`seq`, new.`min_lon` - 1e-5, new.`max_lon` + 1e-5, new.`min_lat` - 1e-5, new.`max_lat` + 1e-5, (new.`first_observed_at` - 60000) / 2592000000.0, (new.`last_observed_at` + 60000) / 2592000000.0, new.`type_code`, new.`type_code` + 0.5);
END;
--> statement-breakpoint
CREATE TRIGGER `alerts_rtree_delete` AFTER DELETE ON `alerts` BEGIN
  DELETE FROM `alerts_rtree` WHERE `seq` = old.`seq`;
END;
