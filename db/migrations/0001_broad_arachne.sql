CREATE TABLE `alert_events` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`alert_id` text NOT NULL,
	`version` integer NOT NULL,
	`type` text NOT NULL,
	`actor` text NOT NULL,
	`agency_id` text,
	`from_status` text,
	`to_status` text,
	`note` text,
	`data` text NOT NULL,
	`at` integer NOT NULL,
	FOREIGN KEY (`alert_id`) REFERENCES `alerts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `alert_events_alert_idx` ON `alert_events` (`alert_id`,`seq`);--> statement-breakpoint
CREATE TABLE `alert_routes` (
	`alert_id` text NOT NULL,
	`agency_id` text NOT NULL,
	`kind` text NOT NULL,
	`reason` text NOT NULL,
	`state` text NOT NULL,
	`dispatched_at` integer NOT NULL,
	`acknowledged_at` integer,
	`reminder_sent_at` integer,
	`escalated_at` integer,
	`handed_over_to` text,
	`handover_reason` text,
	`rating` integer,
	`rating_note` text,
	PRIMARY KEY(`alert_id`, `agency_id`),
	FOREIGN KEY (`alert_id`) REFERENCES `alerts`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`agency_id`) REFERENCES `agencies`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `alert_routes_agency_idx` ON `alert_routes` (`agency_id`,`alert_id`);--> statement-breakpoint
CREATE INDEX `alert_routes_pending_idx` ON `alert_routes` (`state`,`dispatched_at`);--> statement-breakpoint
CREATE TABLE `alert_rules` (
	`id` text PRIMARY KEY NOT NULL,
	`agency_id` text NOT NULL,
	`alert_type` text NOT NULL,
	`name` text,
	`area` text,
	`enabled` integer NOT NULL,
	`settings` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`agency_id`) REFERENCES `agencies`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `alert_rules_agency_idx` ON `alert_rules` (`agency_id`,`created_at`,`id`);--> statement-breakpoint
CREATE TABLE `alert_suppressions` (
	`id` text PRIMARY KEY NOT NULL,
	`agency_id` text NOT NULL,
	`kind` text NOT NULL,
	`name` text,
	`geometry` text NOT NULL,
	`radius_m` real NOT NULL,
	`alert_types` text NOT NULL,
	`valid_from` integer,
	`valid_until` integer,
	`note` text,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`agency_id`) REFERENCES `agencies`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `alert_suppressions_agency_idx` ON `alert_suppressions` (`agency_id`,`created_at`,`id`);--> statement-breakpoint
CREATE TABLE `alerts` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`id` text NOT NULL,
	`alert_type` text NOT NULL,
	`type_code` integer NOT NULL,
	`status` text NOT NULL,
	`severity` text NOT NULL,
	`confidence` text NOT NULL,
	`version` integer NOT NULL,
	`geometry` text NOT NULL,
	`lon` real NOT NULL,
	`lat` real NOT NULL,
	`min_lon` real NOT NULL,
	`min_lat` real NOT NULL,
	`max_lon` real NOT NULL,
	`max_lat` real NOT NULL,
	`radius_m` real NOT NULL,
	`extent_area_m2` real NOT NULL,
	`first_observed_at` integer NOT NULL,
	`last_observed_at` integer NOT NULL,
	`observation_count` integer NOT NULL,
	`primary_kind` text NOT NULL,
	`pass_keys` text NOT NULL,
	`sensor_ids` text NOT NULL,
	`sources` text NOT NULL,
	`metrics` text NOT NULL,
	`severity_reasons` text NOT NULL,
	`outcome_label` text,
	`duplicate_of` text,
	`closed_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `alerts_id_unique` ON `alerts` (`id`);--> statement-breakpoint
CREATE INDEX `alerts_type_time_idx` ON `alerts` (`alert_type`,`last_observed_at`);--> statement-breakpoint
CREATE INDEX `alerts_status_type_idx` ON `alerts` (`status`,`alert_type`);--> statement-breakpoint
CREATE INDEX `alerts_created_idx` ON `alerts` (`created_at`,`id`);--> statement-breakpoint
CREATE TABLE `audit_log` (
	`seq` integer PRIMARY KEY NOT NULL,
	`at` integer NOT NULL,
	`actor` text NOT NULL,
	`action` text NOT NULL,
	`subject` text NOT NULL,
	`data` text NOT NULL,
	`prev_hash` text NOT NULL,
	`hash` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `audit_log_hash_unique` ON `audit_log` (`hash`);--> statement-breakpoint
CREATE TABLE `detections` (
	`id` text PRIMARY KEY NOT NULL,
	`batch_id` text NOT NULL,
	`agency_id` text NOT NULL,
	`kind` text NOT NULL,
	`captured_at` integer NOT NULL,
	`sensor_id` text NOT NULL,
	`pass_key` text NOT NULL,
	`lon` real,
	`lat` real,
	`radius_m` real,
	`payload` text NOT NULL,
	`outcome` text NOT NULL,
	`outcome_detail` text,
	`alert_id` text,
	`received_at` integer NOT NULL,
	FOREIGN KEY (`agency_id`) REFERENCES `agencies`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `detections_batch_idx` ON `detections` (`batch_id`);--> statement-breakpoint
CREATE INDEX `detections_alert_idx` ON `detections` (`alert_id`);--> statement-breakpoint
CREATE TABLE `ingest_keys` (
	`agency_id` text NOT NULL,
	`scope` text NOT NULL,
	`key` text NOT NULL,
	`request_hash` text NOT NULL,
	`response` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`agency_id`, `scope`, `key`)
);
--> statement-breakpoint
CREATE TABLE `satellite_hotspots` (
	`id` text PRIMARY KEY NOT NULL,
	`agency_id` text NOT NULL,
	`lon` real NOT NULL,
	`lat` real NOT NULL,
	`acquired_at` integer NOT NULL,
	`satellite` text NOT NULL,
	`instrument` text NOT NULL,
	`brightness_k` real NOT NULL,
	`frp_mw` real,
	`confidence_pct` real,
	`scan_km` real NOT NULL,
	`track_km` real NOT NULL,
	`outcome` text NOT NULL,
	`alert_id` text,
	`imported_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `satellite_hotspots_unique_idx` ON `satellite_hotspots` (`satellite`,`acquired_at`,`lon`,`lat`);--> statement-breakpoint
CREATE TABLE `verification_requests` (
	`id` text PRIMARY KEY NOT NULL,
	`alert_id` text NOT NULL,
	`agency_id` text NOT NULL,
	`requested_by` text NOT NULL,
	`status` text NOT NULL,
	`dock_id` text,
	`dock_distance_m` real,
	`note` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`alert_id`) REFERENCES `alerts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `verification_requests_alert_idx` ON `verification_requests` (`alert_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `webhook_deliveries` (
	`id` text PRIMARY KEY NOT NULL,
	`endpoint_id` text NOT NULL,
	`agency_id` text NOT NULL,
	`message_id` text NOT NULL,
	`event_type` text NOT NULL,
	`payload` text NOT NULL,
	`state` text NOT NULL,
	`attempts` integer NOT NULL,
	`next_attempt_at` integer NOT NULL,
	`last_status` integer,
	`last_error` text,
	`delivered_at` integer,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`endpoint_id`) REFERENCES `webhook_endpoints`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `webhook_deliveries_due_idx` ON `webhook_deliveries` (`state`,`next_attempt_at`);--> statement-breakpoint
CREATE INDEX `webhook_deliveries_endpoint_idx` ON `webhook_deliveries` (`endpoint_id`,`created_at`,`id`);--> statement-breakpoint
CREATE TABLE `webhook_endpoints` (
	`id` text PRIMARY KEY NOT NULL,
	`agency_id` text NOT NULL,
	`url` text NOT NULL,
	`secret` text NOT NULL,
	`event_types` text NOT NULL,
	`enabled` integer NOT NULL,
	`disabled_reason` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`agency_id`) REFERENCES `agencies`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `webhook_endpoints_agency_idx` ON `webhook_endpoints` (`agency_id`,`created_at`,`id`);