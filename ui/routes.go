package ui

import (
	"github.com/gofiber/fiber/v2"

	"pitlane/web"
)

// Mount adds the staff UI's routes to app, declaring each in routes.
func (u *UI) Mount(app *fiber.App, routes *web.Routes) {
	routes.Public(app, fiber.MethodGet, "/static/*", u.serveStatic)
	g := app.Group("/", u.loadSession, u.checkCSRF)
	routes.Public(g, fiber.MethodGet, "/login", u.loginPage)
	routes.Public(g, fiber.MethodPost, "/login", u.login)
	routes.Public(g, fiber.MethodGet, "/setup/:token", u.setupPage)
	routes.Public(g, fiber.MethodPost, "/setup/:token", u.setup)
	routes.Public(g, fiber.MethodGet, "/logo", u.logo)

	routes.Staff(g, fiber.MethodGet, "/", web.AllStaff, u.dashboard)

	routes.Staff(g, fiber.MethodGet, "/customers", web.AllStaff, u.customersPage)
	routes.Staff(g, fiber.MethodGet, "/customers/new", web.AllStaff, u.newCustomerPage)
	routes.Staff(g, fiber.MethodPost, "/customers", web.AllStaff, u.createCustomer)
	routes.Staff(g, fiber.MethodGet, "/customers/:id", web.AllStaff, u.customerPage)
	routes.Staff(g, fiber.MethodGet, "/customers/:id/edit", web.AllStaff, u.editCustomerPage)
	routes.Staff(g, fiber.MethodPost, "/customers/:id", web.AllStaff, u.updateCustomer)
	routes.Staff(g, fiber.MethodGet, "/customers/:id/merge", MergeRoles, u.mergePage)
	routes.Staff(g, fiber.MethodPost, "/customers/:id/merge", MergeRoles, u.mergeCustomers)
	routes.Staff(g, fiber.MethodGet, "/customers/:id/vehicles/new", web.AllStaff, u.newVehiclePage)
	routes.Staff(g, fiber.MethodPost, "/customers/:id/vehicles", web.AllStaff, u.createVehicle)
	routes.Staff(g, fiber.MethodGet, "/vehicles", web.AllStaff, u.vehiclesPage)
	routes.Staff(g, fiber.MethodGet, "/vehicles/:id", web.AllStaff, u.vehiclePage)
	routes.Staff(g, fiber.MethodGet, "/vehicles/:id/edit", web.AllStaff, u.editVehiclePage)
	routes.Staff(g, fiber.MethodPost, "/vehicles/:id", web.AllStaff, u.updateVehicle)
	routes.Staff(g, fiber.MethodPost, "/vehicles/:id/readings", web.AllStaff, u.addReading)
	routes.Staff(g, fiber.MethodPost, "/vehicles/:id/transfer", web.AllStaff, u.transferVehicle)
	routes.Staff(g, fiber.MethodGet, "/jobs/:id", web.AllStaff, u.jobPage)
	routes.Staff(g, fiber.MethodGet, "/appointments/:id", web.AllStaff, u.appointmentPage)
	routes.Staff(g, fiber.MethodPost, "/logout", web.AllStaff, u.logout)
	routes.Staff(g, fiber.MethodGet, "/password", web.AllStaff, u.passwordPage)
	routes.Staff(g, fiber.MethodPost, "/password", web.AllStaff, u.changePassword)
	routes.Staff(g, fiber.MethodGet, "/profile", web.AllStaff, u.profilePage)
	routes.Staff(g, fiber.MethodPost, "/profile", web.AllStaff, u.saveProfile)

	routes.Staff(g, fiber.MethodGet, "/settings", web.ManagerOnly, u.settingsPage)
	routes.Staff(g, fiber.MethodPost, "/settings", web.ManagerOnly, u.saveSettings)
	routes.Staff(g, fiber.MethodGet, "/users", web.ManagerOnly, u.usersPage)
	routes.Staff(g, fiber.MethodGet, "/users/new", web.ManagerOnly, u.newUserPage)
	routes.Staff(g, fiber.MethodPost, "/users", web.ManagerOnly, u.createUser)
	routes.Staff(g, fiber.MethodGet, "/users/:id", web.ManagerOnly, u.userPage)
	routes.Staff(g, fiber.MethodPost, "/users/:id", web.ManagerOnly, u.updateUser)
	routes.Staff(g, fiber.MethodPost, "/users/:id/password", web.ManagerOnly, u.resetPassword)
	routes.Staff(g, fiber.MethodPost, "/users/:id/disable", web.ManagerOnly, u.disableUser)
	routes.Staff(g, fiber.MethodPost, "/users/:id/enable", web.ManagerOnly, u.enableUser)
	routes.Staff(g, fiber.MethodGet, "/apikeys", web.ManagerOnly, u.apiKeysPage)
	routes.Staff(g, fiber.MethodPost, "/apikeys", web.ManagerOnly, u.createAPIKey)
	routes.Staff(g, fiber.MethodPost, "/apikeys/:id/revoke", web.ManagerOnly, u.revokeAPIKey)
	routes.Staff(g, fiber.MethodGet, "/audit", web.ManagerOnly, u.auditPage)
}
