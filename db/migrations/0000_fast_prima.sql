CREATE TABLE `agencies` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`kind` text NOT NULL,
	`jurisdiction` text,
	`alert_types` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `agencies_name_unique` ON `agencies` (`name`);--> statement-breakpoint
CREATE TABLE `api_keys` (
	`id` text PRIMARY KEY NOT NULL,
	`agency_id` text NOT NULL,
	`role` text NOT NULL,
	`hash` text NOT NULL,
	`prefix` text NOT NULL,
	`name` text,
	`expires_at` integer NOT NULL,
	`revoked_at` integer,
	`last_used_at` integer,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`agency_id`) REFERENCES `agencies`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `api_keys_hash_unique` ON `api_keys` (`hash`);--> statement-breakpoint
CREATE INDEX `api_keys_agency_idx` ON `api_keys` (`agency_id`);--> statement-breakpoint
CREATE TABLE `area_versions` (
	`area_id` text NOT NULL,
	`version` integer NOT NULL,
	`name` text NOT NULL,
	`geojson` text NOT NULL,
	`properties` text NOT NULL,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`area_id`, `version`),
	FOREIGN KEY (`area_id`) REFERENCES `areas`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `areas` (
	`id` text PRIMARY KEY NOT NULL,
	`agency_id` text NOT NULL,
	`name` text NOT NULL,
	`kind` text NOT NULL,
	`version` integer NOT NULL,
	`geojson` text NOT NULL,
	`properties` text NOT NULL,
	`area_m2` real NOT NULL,
	`length_m` real NOT NULL,
	`vertex_count` integer NOT NULL,
	`min_lon` real NOT NULL,
	`min_lat` real NOT NULL,
	`max_lon` real NOT NULL,
	`max_lat` real NOT NULL,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`agency_id`) REFERENCES `agencies`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `areas_agency_created_idx` ON `areas` (`agency_id`,`created_at`,`id`);--> statement-breakpoint
CREATE TABLE `docks` (
	`id` text PRIMARY KEY NOT NULL,
	`agency_id` text NOT NULL,
	`name` text NOT NULL,
	`lon` real NOT NULL,
	`lat` real NOT NULL,
	`ground_alt_m` real NOT NULL,
	`link_url` text NOT NULL,
	`system_id` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`agency_id`) REFERENCES `agencies`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `docks_agency_created_idx` ON `docks` (`agency_id`,`created_at`,`id`);--> statement-breakpoint
CREATE TABLE `drones` (
	`id` text PRIMARY KEY NOT NULL,
	`agency_id` text NOT NULL,
	`dock_id` text NOT NULL,
	`name` text NOT NULL,
	`system_id` integer NOT NULL,
	`model` text NOT NULL,
	`cruise_speed_mps` real NOT NULL,
	`max_flight_time_min` real NOT NULL,
	`battery_reserve_pct` real NOT NULL,
	`max_wind_mps` real NOT NULL,
	`payloads` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`agency_id`) REFERENCES `agencies`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`dock_id`) REFERENCES `docks`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `drones_agency_created_idx` ON `drones` (`agency_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `drones_dock_idx` ON `drones` (`dock_id`);--> statement-breakpoint
CREATE TABLE `plan_areas` (
	`plan_id` text NOT NULL,
	`area_id` text NOT NULL,
	`area_version` integer NOT NULL,
	PRIMARY KEY(`plan_id`, `area_id`),
	FOREIGN KEY (`plan_id`) REFERENCES `plans`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`area_id`) REFERENCES `areas`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `plan_areas_area_idx` ON `plan_areas` (`area_id`);--> statement-breakpoint
CREATE TABLE `plans` (
	`id` text PRIMARY KEY NOT NULL,
	`agency_id` text NOT NULL,
	`status` text NOT NULL,
	`request` text NOT NULL,
	`result` text,
	`error` text,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`agency_id`) REFERENCES `agencies`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `plans_agency_created_idx` ON `plans` (`agency_id`,`created_at`,`id`);