-- Hand-written. The R*Tree's time dimension moves from milliseconds to days: R* splits weigh
-- every dimension's extent, and a year in milliseconds (3e10) drowned the spatial dimensions
-- (degrees), so nodes clustered by time alone. Days keep the four dimensions comparable.
DROP TRIGGER `alerts_rtree_insert`;
--> statement-breakpoint
DROP TRIGGER `alerts_rtree_update`;
--> statement-breakpoint
DELETE FROM `alerts_rtree`;
--> statement-breakpoint
INSERT INTO `alerts_rtree` SELECT `seq`, `min_lon`, `max_lon`, `min_lat`, `max_lat`, `first_observed_at` / 86400000.0, `last_observed_at` / 86400000.0, `type_code`, `type_code` FROM `alerts`;
--> statement-breakpoint
CREATE TRIGGER `alerts_rtree_insert` AFTER INSERT ON `alerts` BEGIN
  INSERT INTO `alerts_rtree` VALUES (new.`seq`, new.`min_lon`, new.`max_lon`, new.`min_lat`, new.`max_lat`, new.`first_observed_at` / 86400000.0, new.`last_observed_at` / 86400000.0, new.`type_code`, new.`type_code`);
END;
--> statement-breakpoint
CREATE TRIGGER `alerts_rtree_update` AFTER UPDATE OF `min_lon`, `max_lon`, `min_lat`, `max_lat`, `first_observed_at`, `last_observed_at`, `type_code` ON `alerts` BEGIN
  UPDATE `alerts_rtree` SET `min_lon` = new.`min_lon`, `max_lon` = new.`max_lon`, `min_lat` = new.`min_lat`, `max_lat` = new.`max_lat`, `min_t` = new.`first_observed_at` / 86400000.0, `max_t` = new.`last_observed_at` / 86400000.0, `min_type` = new.`type_code`, `max_type` = new.`type_code` WHERE `seq` = new.`seq`;
END;
